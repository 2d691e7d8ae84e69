// @diffli2d/cli — the `diffli2d` command, plus the pieces it is made of for programmatic use.
export { VERSION } from './version';
export { runCli, buildProgram } from './program';
export { CliError, UsageError, InputError, OverwriteError, NotAvailableError } from './errors';
export { dehazeDcp, darkChannel, estimateAirlight, DCP_DEFAULTS, type DcpOptions, type DcpResult, type RgbImage } from './methods/dcp';
export { guidedFilter, boxMean, minFilter } from './methods/filters';
export { parseShard, shardRange, takeShard, type Shard } from './util/shard';
export { mergeDocuments, type EvalDocument, type ImageResult } from './eval/document';
