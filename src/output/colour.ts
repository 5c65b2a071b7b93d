/**
 * Colour policy, decided once: --no-color and NO_COLOR turn it off; --color and FORCE_COLOR turn it on;
 * otherwise on only when stdout is a terminal.
 */
export function colourLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  if (flag === true) return force && /^[123]$/.test(force) ? (Number(force) as 1 | 2 | 3) : 1;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    return /^[123]$/.test(force) ? (Number(force) as 1 | 2 | 3) : 1;
  }
  if (!isTTY) return 0;
  if (env.TERM === 'dumb') return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return /256/.test(env.TERM ?? '') ? 2 : 1;
}
