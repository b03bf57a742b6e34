// The jobs on screen, one line each, under a line of column titles. Presentational: it draws the
// rows it is given, already in screen order, and fetches nothing.

import { Box, Text } from 'ink';
import type { JobJson } from '../../client/types.js';
import { cellText, type Column, fit, jobKey, jobState, type JobStateKind, MARKER_WIDTH, type TimeMode } from './format.js';

export interface JobsTableProps {
  /** Jobs in screen order, at most as many as fit. */
  readonly jobs: readonly JobJson[];
  /** Index into `jobs` of the selected one; -1 for none. */
  readonly selected: number;
  readonly columns: readonly Column[];
  /** Epoch ms the countdowns are computed from. */
  readonly now: number;
  /** Zone the times are shown in: each job's own by default. */
  readonly timeMode?: TimeMode;
  readonly color: boolean;
  /** Shown instead of rows when there are none. */
  readonly empty: string;
}

const STATE_COLOURS: Record<JobStateKind, string> = {
  running: 'cyan',
  scheduled: 'green',
  retrying: 'yellow',
  'gave-up': 'red',
  disabled: 'gray',
};

export function titleLine(columns: readonly Column[]): string {
  return ' '.repeat(MARKER_WIDTH) + columns.map((c) => fit(c.title, c.width)).join(' ');
}

export function JobsTable(props: JobsTableProps): React.JSX.Element {
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {titleLine(props.columns)}
      </Text>
      {props.jobs.length === 0 ? (
        <Text dimColor wrap="truncate">
          {' '.repeat(MARKER_WIDTH) + props.empty}
        </Text>
      ) : (
        props.jobs.map((job, index) => (
          <JobLine key={jobKey(job)} {...props} job={job} isSelected={index === props.selected} />
        ))
      )}
    </Box>
  );
}

interface JobLineProps {
  readonly job: JobJson;
  readonly isSelected: boolean;
  readonly columns: readonly Column[];
  readonly now: number;
  readonly timeMode?: TimeMode;
  readonly color: boolean;
}

function JobLine({ job, isSelected, columns, now, timeMode, color }: JobLineProps): React.JSX.Element {
  const kind = jobState(job).kind;
  return (
    <Text wrap="truncate" inverse={isSelected}>
      {isSelected ? '> ' : '  '}
      {columns.map((column, index) => {
        const text = fit(cellText(column, job, now, timeMode), column.width) + (index < columns.length - 1 ? ' ' : '');
        const tint = color && column.key === 'state' ? STATE_COLOURS[kind] : undefined;
        return (
          <Text key={column.key} color={tint} dimColor={color && kind === 'disabled' && column.key !== 'state'}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}
