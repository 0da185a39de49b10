//go:build !(linux && amd64)

package kernel

import "errors"

// Without AMX (only linux/amd64 has the kernels) UseBF16 refuses, so k.amx stays nil and none of
// the methods below is reached.

type netAMX struct{}

// UseBF16 makes the Net compute its convolutions in bfloat16 on AMX, where there is AMX.
func (k *Net) UseBF16() error { return CheckBF16() }

func (a *netAMX) packForward(*Net, *NetParams)  { panic("kernel: no AMX") }
func (a *netAMX) packBackward(*Net, *NetParams) { panic("kernel: no AMX") }
func (k *Net) amxConvolve(*netWorker, netConv, int, bool, []float32, int, []float32, int) {
	panic("kernel: no AMX")
}
func (k *Net) amxFilterGrad(*netWorker, netConv, []float32, int, []float32, int, []float32) {
	panic("kernel: no AMX")
}

// CheckBF16 says why UseBF16 cannot work here.
func CheckBF16() error { return errors.New("bfloat16 convolutions need AMX on linux/amd64") }
