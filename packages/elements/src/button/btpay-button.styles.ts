import { css } from "lit";

export const buttonStyles = css`
  :host {
    display: inline-block;
  }
  dialog {
    box-sizing: border-box;
    width: min(27em, calc(100vw - 2em));
    padding: 1.25em;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.55);
  }
  .head {
    display: flex;
    align-items: start;
    justify-content: space-between;
    gap: 1em;
    margin-bottom: 1em;
  }
  h2,
  p {
    margin: 0;
  }
  h2 {
    font-size: 1.25em;
  }
  .close {
    padding: 0.1em 0.5em;
    font-size: 1.25em;
  }
  .muted {
    color: var(--_muted);
    margin-bottom: 1em;
  }
  form {
    display: grid;
    gap: 0.5em;
  }
  input {
    padding: 0.5em;
    background: var(--_bg);
    border: 1px solid var(--_muted);
    border-radius: calc(var(--_radius) / 2);
  }
  .error {
    min-height: 1.4em;
    color: var(--_error);
  }
  btpay-invoice {
    max-width: none;
  }
`;
