#pragma once
// log and exp built only from IEEE-754 basic operations (+ - * / and exact scaling), so a
// random draw gives the same bits with any libm, compiler or CPU. The build turns off FMA
// contraction (-ffp-contract=off) for the same reason. Accuracy is a few ulp, which is far
// below what any distribution here can notice; what matters is that it never varies.
namespace sim {

// Natural logarithm of a positive finite x.
double deterministic_log(double x);
// e^x for finite x; overflows to +inf and underflows to 0 like the mathematical function.
double deterministic_exp(double x);

}  // namespace sim
