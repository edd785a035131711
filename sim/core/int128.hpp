#pragma once
// 128-bit integers (a GCC/Clang extension) for exact intermediate arithmetic: (time, sequence)
// keys, overflow-free duration parsing, Lemire's multiply. __extension__ keeps -Wpedantic quiet.
namespace sim {
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
}  // namespace sim
