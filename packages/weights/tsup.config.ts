import { packageConfig } from '../../tsup.base';

// Two entries: the browser-safe core and the Node-only file helpers. The Node entry
// imports the core by package name (kept external) so both share one set of classes.
export default packageConfig({ index: 'src/index.ts', node: 'src/node.ts' }, { external: ['@diffli2d/weights'] });
