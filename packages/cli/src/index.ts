export { main } from './program.js'
export { EXIT, CliError } from './errors.js'
