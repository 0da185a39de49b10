// Package all registers every built-in variant. Binaries and tests import it for its side
// effects:
//
//	import _ "squeezebench/variants/all"
package all

import (
	_ "squeezebench/variants/coupling/channelwise"
	_ "squeezebench/variants/coupling/rowwise"
	_ "squeezebench/variants/mixing/glow"
	_ "squeezebench/variants/mixing/invconv"
	_ "squeezebench/variants/mixing/none"
	_ "squeezebench/variants/split/channel"
	_ "squeezebench/variants/split/checkerboard"
	_ "squeezebench/variants/squeeze/tfordered"
	_ "squeezebench/variants/squeeze/tfstyle"
	_ "squeezebench/variants/squeeze/tutorial"
)
