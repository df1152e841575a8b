import { css } from "lit";

export const invoiceStyles = css`
  :host {
    display: block;
    max-width: 24em;
  }
  .base {
    display: grid;
    gap: 0.75em;
    padding: 1.25em;
    text-align: center;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  p {
    margin: 0;
  }
  header,
  .label,
  .countdown {
    color: var(--_muted);
    font-size: 0.875em;
  }
  header {
    display: flex;
    justify-content: space-between;
    gap: 1em;
  }
  .status {
    font-weight: 600;
  }
  .fiat {
    display: block;
    font-size: 1.75em;
    font-weight: 700;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
    justify-content: center;
  }
  svg {
    display: block;
    width: 100%;
    max-width: 15em;
    margin: auto;
    border-radius: calc(var(--_radius) / 2);
    /* Wallet scanners expect dark modules on a light ground, whatever the page theme. */
    background: var(--btpay-qr-background, #fff);
    fill: var(--btpay-qr-color, #000);
  }
  code {
    overflow-wrap: anywhere;
    font-size: 0.875em;
  }
`;
