// Enter on a job: its recent delivery attempts (the run history), in place of the table until a key.

import { Box, Text } from 'ink';
import { formatRuns } from '../output.js';
import { sanitize, type TimeMode, truncate } from './format.js';
import type { ViewState } from './view-state.js';

export interface RunsDetailProps {
  readonly detail: NonNullable<ViewState['detail']>;
  readonly width: number;
  /** Lines available; the list is cut to fit. */
  readonly height: number;
  readonly now: number;
  readonly timeMode: TimeMode;
}

export function runsDetailLines({ detail, now, timeMode }: Omit<RunsDetailProps, 'width' | 'height'>): string[] {
  const title = `Runs of ${sanitize(detail.target.path)} ${sanitize(detail.target.body)}, newest first (any key goes back)`;
  if (detail.error !== undefined) return [title, `could not fetch the runs: ${sanitize(detail.error)}`];
  if (detail.runs === undefined) return [title, 'loading…'];
  if (detail.runs.length === 0) return [title, 'no runs recorded'];
  return [title, ...formatRuns(detail.runs, { now, color: false, timeMode }, detail.target.location).trimEnd().split('\n')];
}

export function RunsDetail(props: RunsDetailProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      {runsDetailLines(props)
        .slice(0, Math.max(1, props.height))
        .map((line, index) => (
          <Text key={index} wrap="truncate" bold={index === 0}>
            {truncate(line, props.width) || ' '}
          </Text>
        ))}
    </Box>
  );
}
