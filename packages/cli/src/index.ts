// @diffli2d/cli — the `diffli2d` command, plus the pieces it is made of for programmatic use.
export { VERSION } from './version';
export { runCli, buildProgram } from './program';
export { CliError, UsageError, InputError, OverwriteError, NotAvailableError } from './errors';
// the dark channel prior lives in @diffli2d/diffli2d (one implementation for the CLI, the network's cue and the demo)
export {
  dehazeDcp,
  darkChannel,
  estimateAirlight,
  DCP_DEFAULTS,
  type DcpOptions,
  type DcpResult,
  type RgbImage,
  guidedFilter,
  boxMean,
  minFilter,
} from '@diffli2d/diffli2d';
export { parseShard, shardRange, takeShard, type Shard } from './util/shard';
export { mergeDocuments, type EvalDocument, type ImageResult } from './eval/document';
