/**
 * The host's theme under our CSP. The SDK applies a theme by writing a <style> element
 * (":root { --vars } body { color: var(--text-primary-color) }", azure-devops-extension-sdk
 * applyTheme), which `style-src 'self'` refuses; it then fires `themeApplied` with the variables.
 * We set the same variables through the CSSOM (allowed), and hub.css gives body its colour from
 * them. `data-mcd-theme` (light/dark) picks the hub's own status text colours, which must keep
 * 4.5:1 contrast on either background.
 */
export function applyThemeVariables(data: Record<string, unknown>): void {
  const root = document.documentElement;
  for (const [name, value] of Object.entries(data)) {
    if (/^[A-Za-z0-9-]+$/.test(name) && typeof value === 'string') root.style.setProperty(`--${name}`, value);
  }
  const bg = typeof data['background-color'] === 'string' ? luminance(data['background-color']) : undefined;
  if (bg !== undefined) root.setAttribute('data-mcd-theme', bg < 0.2 ? 'dark' : 'light');
  // High contrast themes dim no text: secondary text is as bright as primary. azure-devops-ui keys its
  // high-contrast button states on body classes the host page sets, which a framed extension lacks.
  const primary = data['text-primary-color'];
  const secondary = data['text-secondary-color'];
  if (typeof primary === 'string' && typeof secondary === 'string')
    root.setAttribute('data-mcd-contrast', luminance(primary) === luminance(secondary) ? 'high' : 'normal');
}

/** Relative luminance of an rgb()/rgba()/#rrggbb colour (WCAG 2.x), or undefined. */
export function luminance(color: string): number | undefined {
  let rgb: number[] | undefined;
  const m = /rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(color);
  if (m) rgb = [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (h) rgb = [0, 2, 4].map((i) => parseInt(h[1].slice(i, i + 2), 16));
  if (!rgb) return undefined;
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function followTheme(): void {
  window.addEventListener('themeApplied', (ev) =>
    applyThemeVariables((ev as CustomEvent<Record<string, unknown>>).detail ?? {}),
  );
}
