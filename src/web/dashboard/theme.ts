/**
 * The page's theme is `data-theme` on <html> (default, dark, contrast), set from the Teams context; the Fluent
 * theme follows it, so the page's own palette (style.css) and Fluent's components always agree.
 */
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';
import { useSyncExternalStore } from 'react';

export type ThemeName = 'default' | 'dark' | 'contrast';

export function applyTheme(theme: string | undefined): void {
  document.documentElement.dataset.theme = theme === 'dark' || theme === 'contrast' ? theme : 'default';
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
const current = (): ThemeName => {
  const t = document.documentElement.dataset.theme;
  return t === 'dark' || t === 'contrast' ? t : 'default';
};

export function useThemeName(): ThemeName {
  return useSyncExternalStore(subscribe, current);
}

export const FLUENT_THEMES: Record<ThemeName, Theme> = { default: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };
