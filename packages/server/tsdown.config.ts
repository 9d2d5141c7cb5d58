export { default } from '../../tsdown.base.js'
