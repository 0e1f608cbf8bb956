/**
 * Theme variables the preview plays the host with (the host sends these as `themeData` in the
 * SDK handshake and `themeChanged`). Names are the CSS variables azure-devops-ui's stylesheets read
 * (grep `var(--` in node_modules/azure-devops-ui/Components/**.css); values follow the Azure DevOps
 * light, dark and high-contrast themes closely enough to judge contrast and layout.
 */
const shared = { 'palette-primary': '0, 120, 212' };

export const THEMES: Record<string, Record<string, string>> = {
  light: {
    ...shared,
    'background-color': 'rgba(255, 255, 255, 1)', 'text-primary-color': 'rgba(0, 0, 0, .9)', 'text-secondary-color': 'rgba(0, 0, 0, .55)',
    'text-disabled-color': 'rgba(0, 0, 0, .38)', 'callout-background-color': 'rgba(255, 255, 255, 1)', 'communication-foreground': 'rgba(0, 90, 158, 1)',
    'communication-background': 'rgba(0, 120, 212, 1)', 'text-on-communication-background': 'rgba(255, 255, 255, 1)', 'focus-border-color': 'rgba(0, 120, 212, 1)',
    'palette-neutral-0': '255, 255, 255', 'palette-neutral-2': '248, 248, 248', 'palette-neutral-4': '244, 244, 244', 'palette-neutral-8': '234, 234, 234',
    'palette-neutral-20': '200, 200, 200', 'palette-neutral-80': '51, 51, 51', 'palette-black-alpha-6': 'rgba(0, 0, 0, .06)', 'palette-black-alpha-10': 'rgba(0, 0, 0, .1)',
    'palette-black-alpha-20': 'rgba(0, 0, 0, .2)', 'palette-black-alpha-60': 'rgba(0, 0, 0, .6)', 'status-error-text': 'rgba(177, 19, 60, 1)', 'status-warning-text': 'rgba(138, 90, 0, 1)',
    'component-grid-row-hover-color': 'rgba(0, 0, 0, .04)', 'component-grid-cell-bottom-border-color': 'rgba(0, 0, 0, .08)',
  },
  dark: {
    ...shared,
    'background-color': 'rgba(32, 31, 30, 1)', 'text-primary-color': 'rgba(255, 255, 255, .87)', 'text-secondary-color': 'rgba(255, 255, 255, .6)',
    'text-disabled-color': 'rgba(255, 255, 255, .38)', 'callout-background-color': 'rgba(45, 43, 41, 1)', 'communication-foreground': 'rgba(82, 167, 255, 1)',
    'communication-background': 'rgba(0, 120, 212, 1)', 'text-on-communication-background': 'rgba(255, 255, 255, 1)', 'focus-border-color': 'rgba(82, 167, 255, 1)',
    'palette-neutral-0': '32, 31, 30', 'palette-neutral-2': '41, 40, 39', 'palette-neutral-4': '45, 43, 41', 'palette-neutral-8': '59, 58, 57',
    'palette-neutral-20': '96, 94, 92', 'palette-neutral-80': '225, 223, 221', 'palette-black-alpha-6': 'rgba(255, 255, 255, .06)', 'palette-black-alpha-10': 'rgba(255, 255, 255, .1)',
    'palette-black-alpha-20': 'rgba(255, 255, 255, .2)', 'palette-black-alpha-60': 'rgba(255, 255, 255, .6)', 'status-error-text': 'rgba(241, 112, 123, 1)', 'status-warning-text': 'rgba(252, 225, 0, 1)',
    'component-grid-row-hover-color': 'rgba(255, 255, 255, .06)', 'component-grid-cell-bottom-border-color': 'rgba(255, 255, 255, .12)',
  },
  'high-contrast': {
    ...shared,
    'background-color': 'rgba(0, 0, 0, 1)', 'text-primary-color': 'rgba(255, 255, 255, 1)', 'text-secondary-color': 'rgba(255, 255, 255, 1)',
    'text-disabled-color': 'rgba(194, 194, 194, 1)', 'callout-background-color': 'rgba(0, 0, 0, 1)', 'communication-foreground': 'rgba(255, 255, 0, 1)',
    'communication-background': 'rgba(26, 235, 255, 1)', 'text-on-communication-background': 'rgba(0, 0, 0, 1)', 'focus-border-color': 'rgba(255, 255, 0, 1)',
    'palette-neutral-0': '0, 0, 0', 'palette-neutral-2': '0, 0, 0', 'palette-neutral-4': '0, 0, 0', 'palette-neutral-8': '60, 60, 60',
    'palette-neutral-20': '255, 255, 255', 'palette-neutral-80': '255, 255, 255', 'palette-black-alpha-6': 'rgba(255, 255, 255, .2)', 'palette-black-alpha-10': 'rgba(255, 255, 255, .4)',
    'palette-black-alpha-20': 'rgba(255, 255, 255, .6)', 'palette-black-alpha-60': 'rgba(255, 255, 255, 1)', 'status-error-text': 'rgba(255, 140, 140, 1)', 'status-warning-text': 'rgba(255, 255, 0, 1)',
    'component-grid-row-hover-color': 'rgba(255, 255, 255, .12)', 'component-grid-cell-bottom-border-color': 'rgba(255, 255, 255, .6)',
  },
};
