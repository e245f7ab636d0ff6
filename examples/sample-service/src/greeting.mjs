/** The service's one piece of logic, small enough to unit test in milliseconds. */
export function greeting(name) {
  const who = typeof name === 'string' && name.trim() ? name.trim() : 'world';
  return `Hello, ${who}!`;
}
