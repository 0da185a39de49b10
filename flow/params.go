package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Param is one learnable tensor. Its Value is shared by every graph built from the model, so an
// optimizer step on it is seen by the training, evaluation and sampling graphs alike.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// Size is the number of scalars in p.
func (p *Param) Size() int { return p.Value.Shape().TotalSize() }

// paramSet creates parameters in a fixed order from one seeded stream, so a seed fixes the
// initialisation of every layer.
type paramSet struct {
	dt     tensor.Dtype
	rng    *rand.Rand
	params []*Param
}

func (ps *paramSet) add(name string, shape []int, init func() float64) *Param {
	n := prod(shape)
	var backing any
	switch ps.dt {
	case tensor.Float32:
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(init())
		}
		backing = v
	case tensor.Float64:
		v := make([]float64, n)
		for i := range v {
			v[i] = init()
		}
		backing = v
	default:
		panic(fmt.Sprintf("flow: unsupported dtype %v", ps.dt))
	}
	p := &Param{Name: name, Value: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))}
	ps.params = append(ps.params, p)
	return p
}

// uniform is PyTorch's default for conv weights and biases: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
func (ps *paramSet) uniform(fanIn int) func() float64 {
	bound := 1 / math.Sqrt(float64(fanIn))
	return func() float64 { return (2*ps.rng.Float64() - 1) * bound }
}

func constant(v float64) func() float64 { return func() float64 { return v } }

// conv is a 2-D convolution with bias; bias is stored as (1, Cout, 1, 1) for broadcasting.
type conv struct {
	W, B *Param
	k    int
}

func (ps *paramSet) conv(name string, cin, cout, k int, zero bool) conv {
	fanIn := cin * k * k
	wInit, bInit := ps.uniform(fanIn), ps.uniform(fanIn)
	if zero {
		wInit, bInit = constant(0), constant(0)
	}
	w := ps.add(name+".weight", []int{cout, cin, k, k}, wInit)
	b := ps.add(name+".bias", []int{1, cout, 1, 1}, bInit)
	return conv{W: w, B: b, k: k}
}

// gatedBlock is GatedConv followed by LayerNormChannels.
type gatedBlock struct {
	conv3, conv1 conv
	gamma, beta  *Param
}

// gatedConvNet is the tutorial's GatedConvNet.
type gatedConvNet struct {
	in     conv
	blocks []gatedBlock
	out    conv
	hidden int
}

func (ps *paramSet) gatedConvNet(name string, cin, hidden, cout, layers int) gatedConvNet {
	n := gatedConvNet{hidden: hidden}
	n.in = ps.conv(name+".in", cin, hidden, 3, false)
	for i := 0; i < layers; i++ {
		pre := fmt.Sprintf("%s.gated%d", name, i)
		n.blocks = append(n.blocks, gatedBlock{
			conv3: ps.conv(pre+".conv3", 2*hidden, hidden, 3, false),
			conv1: ps.conv(pre+".conv1", 2*hidden, 2*hidden, 1, false),
			gamma: ps.add(pre+".norm.gamma", []int{1, hidden, 1, 1}, constant(1)),
			beta:  ps.add(pre+".norm.beta", []int{1, hidden, 1, 1}, constant(0)),
		})
	}
	n.out = ps.conv(name+".out", 2*hidden, cout, 3, true)
	return n
}
