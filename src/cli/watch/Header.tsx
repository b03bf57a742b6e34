// Two lines on top: the daemon and its figures, then the connection state and view position.

import { Box, Text } from 'ink';
import type { StatusJson } from '../../client/types.js';
import { compactDuration, truncate } from './format.js';

export interface HeaderProps {
  /** Daemon base URL as the user gave it. */
  readonly url: string;
  /** Last /status answer; undefined until the first one arrives. */
  readonly status?: StatusJson;
  /** Why the daemon cannot be reached; undefined while connected. */
  readonly error?: string;
  /** The error is a missing or refused token: shown with its hint, not as a retry. */
  readonly unauthorized?: boolean;
  /** Second-line details: order, position, filter. */
  readonly detail: string;
  readonly width: number;
  readonly color: boolean;
}

export function statusLine(url: string, status: StatusJson | undefined): string {
  if (status === undefined) return `dalga ${url}`;
  return [
    `dalga ${url}`,
    `instances ${status.total_instances}`,
    `jobs ${status.total_jobs}`,
    `pending ${status.pending_jobs}`,
    `running ${status.running_jobs}`,
    `lag ${compactDuration(status.lag * 1000)}`,
    ...(status.paused ? ['PAUSED (dalga resume)'] : []),
  ].join('  ');
}

export function connectionLine(props: Pick<HeaderProps, 'status' | 'error' | 'detail' | 'unauthorized'>): string {
  if (props.error !== undefined && props.unauthorized) return props.error;
  if (props.error !== undefined) return `disconnected — retrying (${props.error})`;
  if (props.status === undefined) return 'connecting…';
  return props.detail;
}

export function Header(props: HeaderProps): React.JSX.Element {
  const second = connectionLine(props);
  const down = props.error !== undefined;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {truncate(statusLine(props.url, props.status), props.width)}
      </Text>
      <Text wrap="truncate" color={props.color && down ? 'red' : undefined} bold={down}>
        {truncate(second, props.width)}
      </Text>
    </Box>
  );
}
