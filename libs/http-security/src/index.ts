export { ApiKeys, matchesAnyKey, type KeyCheck } from './api-keys';
export { hostnameOf, HostOriginPolicy } from './host-origin';
export { nestsDeeperThan } from './json-depth';
export {
  applyServerTimeouts,
  DEFAULT_SERVER_TIMEOUTS,
  stopAccepting,
  type ServerTimeouts,
} from './server-limits';
