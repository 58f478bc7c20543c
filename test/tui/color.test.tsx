// NO_COLOR: ink's chalk ignores it, so the view's theme must. With colour forced on for chalk,
// the view still prints no colour when the theme is off, and every state keeps its symbol.
import { vi } from 'vitest';

vi.hoisted(() => {
  // Before ink (and its chalk) load: make chalk able to colour, as on a colour terminal.
  process.env.FORCE_COLOR = '1';
});

import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { StatusApp } from '../../src/tui/app.js';
import { makeTheme } from '../../src/tui/theme.js';
import { NOW, recordingActions, track, view } from '../helpers/status-view.js';

// SGR foreground colours: 30-37, 90-97, 38;5;n and 38;2;r;g;b.
const COLOUR = /\u001b\[(?:3[0-7]|9[0-7]|38;[25];[\d;]+)m/;

const frameWith = (color: boolean) => {
  const app = render(
    <StatusApp
      view={view([track('api', 'running'), track('core', 'failed'), track('web', 'merged')])}
      detail={null}
      log={null}
      width={100}
      height={20}
      now={NOW}
      theme={makeTheme(color)}
      actions={recordingActions()}
      onExit={() => undefined}
    />,
  );
  const frame = app.lastFrame() ?? '';
  app.unmount();
  return frame;
};

describe('colour', () => {
  it('colours states when colour is on', () => {
    expect(frameWith(true)).toMatch(COLOUR);
  });

  it('prints no colour at all when it is off (NO_COLOR), keeping symbols', () => {
    const frame = frameWith(false);
    expect(frame).not.toMatch(COLOUR);
    expect(frame).toContain('> running');
    expect(frame).toContain('✗ failed');
    expect(frame).toContain('✓ merged');
  });
});
