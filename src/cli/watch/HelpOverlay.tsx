// The keys, shown in place of the table while `?` is on.

import { Box, Text } from 'ink';
import { FILTER_WINDOW } from './job-window.js';
import { truncate } from './format.js';

export interface HelpOverlayProps {
  readonly width: number;
  /** Lines available; the list is cut to fit. */
  readonly height: number;
}

export const HELP_LINES: readonly string[] = [
  'Keys',
  '  ↑ ↓             move the selection',
  '  PgUp PgDn       move a screen',
  '  Home End        first / last job (End fetches from the far end)',
  `  /               filter by text in path or body (searches the next ${FILTER_WINDOW} jobs)`,
  '  Enter           keep the filter;  Esc  clear it',
  '  d               disable the selected job, or enable it when disabled',
  '  r               run the selected job now, once (its schedule stays)',
  '  x               cancel (delete) the selected job, after y/n',
  '  Enter           the selected job\'s recent runs (any key goes back)',
  '  ?               show or hide this help',
  '  q  Esc  Ctrl-C  quit (Ctrl-C: exit status 130)',
  '',
  'Jobs are listed by next run; disabled jobs come last.',
  'Only the jobs on screen are fetched, refreshed every --refresh.',
  'Press any key to close this help.',
];

export function HelpOverlay({ width, height }: HelpOverlayProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      {HELP_LINES.slice(0, Math.max(1, height)).map((line, index) => (
        <Text key={index} wrap="truncate" bold={index === 0}>
          {truncate(line, width) || ' '}
        </Text>
      ))}
    </Box>
  );
}
