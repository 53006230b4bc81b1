// The ES module entry of shiprail: the same native binding as the CommonJS entry (index.js),
// with every export available by name (`import { Config } from 'shiprail'`) and as the default.
import binding from './index.js'

export * from './index.js'
export default binding
