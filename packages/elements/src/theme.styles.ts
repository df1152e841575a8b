import { css } from "lit";

// Dark values, used twice below: for `theme="dark"` and for the system preference unless `theme="light"`.
const dark = css`
  --_bg: var(--btpay-background, #17191e);
  --_fg: var(--btpay-text, #eceef1);
  --_muted: var(--btpay-muted, #a3a9b3);
  --_border: var(--btpay-border, #454b55);
  --_error: var(--btpay-error, #ffb4ab);
  color-scheme: dark;
`;

/**
 * The shared theme of every btpay element. Public knobs are `--btpay-*`; the private `--_*` copies
 * hold the fallback, so a page sets one property and every rule follows. Colour pairs keep at least
 * 4.5:1 contrast in both themes (the component tests run axe on each).
 */
export const theme = css`
  :host {
    --_accent: var(--btpay-accent, #f7931a);
    --_on-accent: var(--btpay-on-accent, #17191e);
    --_bg: var(--btpay-background, #fff);
    --_fg: var(--btpay-text, #1b1e23);
    --_muted: var(--btpay-muted, #565c66);
    --_border: var(--btpay-border, #c9ced6);
    --_error: var(--btpay-error, #b3261e);
    --_radius: var(--btpay-radius, 12px);
    color-scheme: light;
    color: var(--_fg);
    font: 16px/1.4 var(--btpay-font, system-ui, sans-serif);
  }
  :host([theme="dark"]) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme="light"])) {
      ${dark}
    }
  }
  button,
  input,
  a {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    background: none;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.35em 0.8em;
  }
  .primary {
    display: inline-block;
    background: var(--_accent);
    color: var(--_on-accent);
    border: 0;
    border-radius: calc(var(--_radius) / 2);
    padding: 0.6em 1.2em;
    font-weight: 600;
    text-decoration: none;
  }
  :focus-visible {
    outline: 2px solid var(--_fg);
    outline-offset: 2px;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
