/**
 * The dashboard app: the DSL's overview, histories, records ready to print, and everyone's My supervision page.
 * Inside Teams it signs in with Teams SSO and follows the Teams theme; in a plain browser on the local try-out it
 * works as a chosen demo person. Text from the API is always rendered as text (React escapes it).
 */
import { createDOMRenderer, FluentProvider, RendererProvider } from '@fluentui/react-components';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectTeams, session } from './api.js';
import { FLUENT_THEMES, useThemeName } from './theme.js';
import './style.css';

// Fluent writes its styles into <style> elements; the page's Content-Security-Policy admits them by this nonce
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
const renderer = createDOMRenderer(document, { styleElementAttributes: nonce ? { nonce } : {} });

function Root() {
  const theme = useThemeName();
  return (
    <FluentProvider theme={FLUENT_THEMES[theme]} className="fluent-root" applyStylesToPortals>
      <App />
    </FluentProvider>
  );
}

async function start(): Promise<void> {
  session.teams = await connectTeams();
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <RendererProvider renderer={renderer} targetDocument={document}>
      <Root />
    </RendererProvider>,
  );
}

void start();
