package flow

// TestVariants exposes the tiny test variants of check_test.go to the external test package
// flow_test: a test that uses flowtest must live there, since flowtest imports flow.
var TestVariants = testVariants

// TestVariantsInvConv adds an InvConv before every coupling on more than one channel.
var TestVariantsInvConv = testVariantsInvConv

// TestVariantsGlow adds Glow's step (an ActNorm, then an InvConv) before every stage-3 coupling.
var TestVariantsGlow = testVariantsGlow
