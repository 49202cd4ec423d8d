export {
  applyServerTimeouts,
  DEFAULT_SERVER_TIMEOUTS,
  stopAccepting,
  type ServerTimeouts,
} from './server-limits';
