// Targets as capability structs (STYLE.md #6), and the default schedule rules
// that read them.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <optional>

#include "schedule/schedule.h"
#include "tir/broadcast.h"

namespace swtc::target {

enum class Kind { Host, Sunway };

/// The SIMD dialect a target's printer spells vectors in (codegen/vector_isa.h).
enum class Simd {
  Portable,  // host: GNU C vector extension, 4 lanes, no ISA flags
  Avx2,      // host: __m256 with AVX2 + FMA intrinsics
  Avx512,    // host: __m512 with AVX-512F intrinsics
  SunwayV4,  // SW26010 CPE: floatv4 and the vendor's simd_* subset
  SunwayV8,  // SW26010-Pro CPE: floatv8 and its simd_* subset
};
const char *simd_name(Simd s);

struct Target {
  std::string name;           // "host", "host-avx2", "host-portable", "sw26010", ...
  Kind kind = Kind::Host;
  int workers = 1;            // parallel workers: host threads (0: decided at run time), or CPEs
  int64_t scratchpad_bytes = 0;  // LDM per CPE (0: none, caches)
  int64_t scratchpad_reserve = 0;  // of it, kept for the CPE stack and kernel arguments
  int vector_bits = 0;        // vector register width in bits
  int f32_lanes = 1;          // floats per vector: THE lane count of this target
  int vector_registers = 0;   // architectural vector registers (register blocking)
  Simd simd = Simd::Portable;
  bool needs_dma = false;     // compute cores reach main memory only by DMA
  bool crts = false;          // Sunway runtime interface: athread (SW26010) or CRTS (SW26010-Pro)
  std::string cflags;         // vector ISA flags for the host C compiler
  // Host caches (bytes) the tile choice blocks for: SWTC_L1_BYTES /
  // SWTC_L2_BYTES if set, else read at compile time (sysconf); 0 on Sunway.
  int64_t l1_bytes = 0, l2_bytes = 0;

  int64_t ldm_budget() const { return scratchpad_bytes - scratchpad_reserve; }
};

/// Looks up a target by name; user_error listing the known names otherwise.
/// "host" detects the vector ISA of this machine (AVX-512, else AVX2 + FMA,
/// else portable); "host-avx512", "host-avx2" and "host-portable" name one.
Target get_target(const std::string &name);
std::vector<std::string> target_names();
/// True if this machine can run code built for `t` (host ISA present).
bool runs_here(const Target &t);

/// Sunway schedule families: `Default` searches 2-D/3-D output tiles (several
/// output channels and rows per CPE) for the least modelled DMA and compute
/// time; `SwtvmV1` is what the published swTVM did: one output row per step,
/// greedy reduce tile, blocking DMA — kept for comparison.
enum class ScheduleMode { Default, SwtvmV1 };
ScheduleMode schedule_mode(const std::string &name);  // "default", "swtvm-v1"
const char *schedule_mode_name(ScheduleMode m);

/// Applies the target's default schedule to a fresh schedule of `def` and
/// returns it. For targets with a scratchpad, tiles are chosen so the kernel
/// fits (user_error naming the kernel if nothing fits).
/// `constants`: the names of def's inputs that are compile-time constants (a
/// schedule may ask for them in another layout: Schedule::packs()).
schedule::Schedule default_schedule(const schedule::ComputeDef &def, const Target &t,
                                    ScheduleMode mode = ScheduleMode::Default,
                                    const std::set<std::string> &constants = {});

/// The input of a Conv-shaped `def` that is its weight, read as
/// wt[c, r0, r1, r2] (c: output axis 1, r*: the reduce axes in order), when
/// it is one of `constants` and the other factor does not depend on c; else "".
/// Such kernels get the micro-kernel schedule (conv_microkernel_schedule).
std::string conv_weight(const schedule::ComputeDef &def, const std::set<std::string> &constants);

/// Micro-kernel schedule of a Conv (codegen/microkernel.h) for target `t`:
/// output tile `tiles` (n, c, h, w) per worker step, `reduce_tile` input
/// channels staged per step (double-buffered DMA on Sunway), loops inside
/// the tile ordered n, h, w, c (the vector axis), then the reduction, w
/// tensorized; the weight packed in blocks of tiles[1] output channels (one
/// contiguous copy per step, vector loads across output channels). Steps go
/// to the CPEs on Sunway and to OpenMP threads on the host.
/// The vector axis of a Conv micro-kernel: output channels (the weight's
/// rows, the input broadcast; any stride), or output pixels along a row (the
/// input's rows, the weight broadcast; unit stride along w only, see
/// conv_unit_stride_w; the host only, its tile w extent a multiple of the
/// lanes, padded past the row's end).
enum class ConvVectors { Channels, Pixels };
schedule::Schedule conv_microkernel_schedule(const schedule::ComputeDef &def,
                                             const std::string &weight,
                                             const std::vector<int64_t> &tiles,
                                             int64_t reduce_tile, const Target &t,
                                             ConvVectors vectors = ConvVectors::Channels);

/// True if the Conv-shaped `def` (weight `weight`) reads its input x at
/// column w + kx (unit stride along the output row, no dilation): a row of
/// outputs reads a contiguous run of an input row.
bool conv_unit_stride_w(const schedule::ComputeDef &def, const std::string &weight);

/// The input of a MatMul-shaped `def` (one reduce axis k, a sum of x * w)
/// that is a 2-D constant weight read as w[k, n] or w[n, k] (n: the last
/// output axis), the other factor not depending on n: {name, the dim of w
/// that n indexes}; else {"", 0}. Such kernels (MatMul, Gemm) get the
/// micro-kernel schedule (matmul_microkernel_schedule).
/// `batched`: w may also be read as w[b..., k, n] / w[b..., n, k] with the
/// b's output axes other than the last (a weight matrix per batch index, the
/// host's Winograd product, lower/winograd.h); the dim returned counts them.
std::pair<std::string, size_t> matmul_weight(const schedule::ComputeDef &def,
                                             const std::set<std::string> &constants,
                                             bool batched = false);

/// True if `def` is a MatMul (one reduce axis k, a sum of x * w) whose
/// factor w is read as w[..., k, n] (n: the last output axis), contiguous
/// along n, the other factor not depending on n: with both operands
/// activations, its staged boxes serve the micro-kernel unpacked (host).
bool matmul_of_activations(const schedule::ComputeDef &def);

/// Micro-kernel schedule of a MatMul for target `t`: output tile `tiles`
/// per worker step (the last two: rows m and columns n), `reduce_tile`
/// elements of k staged per step, loops inside the tile in output order (n,
/// the vector axis, last), then k, m tensorized; the weight packed in blocks
/// of tiles.back() columns (dim `weight_dim`), one contiguous copy per step
/// (`weight` empty: nothing packed, see matmul_of_activations).
/// `columns_outer`: the tiles' fused loop runs over the column blocks outside
/// the row blocks (consecutive tiles share a weight block: Sunway broadcast).
/// `rows_whole` (with a weight): only the weight is staged per reduce step;
/// the other inputs once per tile, at the tile loop (the row panel with the
/// whole of k: one contiguous run per row block instead of rows of
/// `reduce_tile` elements per step).
schedule::Schedule matmul_microkernel_schedule(const schedule::ComputeDef &def,
                                               const std::string &weight, size_t weight_dim,
                                               const std::vector<int64_t> &tiles,
                                               int64_t reduce_tile, const Target &t,
                                               bool columns_outer = false,
                                               bool rows_whole = false);

/// The output tile m of Winograd's F(m x m, 3 x 3) for a 3x3 stride-1 Conv
/// of c input and k output channels over an h x w output on target `t`, or
/// 0 where the direct convolution is the choice (lower/winograd.h).
int winograd_tile(const Target &t, int64_t c, int64_t k, int64_t h, int64_t w);

/// Sunway schedule with an output tile of `tiles[d]` elements along each
/// output axis d (the fused outer loop goes to the CPEs) and `reduce_tile`
/// elements of the first reduce axis staged per step.
/// With `double_buffer`, the inputs staged per reduce step are double-buffered
/// (when that loop runs more than once).
schedule::Schedule sunway_tiled_schedule(const schedule::ComputeDef &def,
                                         const std::vector<int64_t> &tiles, int64_t reduce_tile,
                                         bool double_buffer = true);

/// The modelled time of one CPE running the kernel (seconds): DMA bytes at a
/// CPE's share of the core group's bandwidth, a fixed cost per transfer, and
/// scalar compute. Used to rank tilings, not to report times.
/// `vector_flops`: the flops one CPE executes in vector code (micro-kernel),
/// at the SIMD rate, and `scalar_flops` beside them at the scalar rate; < 0:
/// all of f's flops, scalar.
double sunway_tile_cost(const tir::PrimFunc &f, const Target &t, double vector_flops = -1,
                        double scalar_flops = 0);

/// Sunway: the broadcast DMA (tir::broadcast_plan, to a mesh row or to all 64
/// CPEs) of one of `packed` (the kernel's packed constant inputs, e.g. a
/// Conv/Gemm weight block) under which the performance model predicts `f`
/// faster than with every CPE fetching its own copy (the cheaper group size
/// if both are; compute taken as f's flops per CPE at the vector rate);
/// nullopt if none is, or the target has no broadcast (the Pro's CRTS
/// subset). The code generator and the tile search both ask it, so the
/// search ranks what is generated.
std::optional<tir::BroadcastPlan> sunway_broadcast(const tir::PrimFunc &f, const Target &t,
                                                   const std::set<std::string> &packed);

/// The buffers the tile search and the code generator offer sunway_broadcast
/// for a Conv or MatMul micro-kernel schedule (a kernel with a packed
/// weight; other kernels broadcast nothing): every parameter of `f` (its
/// packed weight, and the activations: a whole-image input panel that the
/// CPEs computing different output channels of one image share;
/// tir::broadcast_plan keeps only an input stage it can broadcast).
std::set<std::string> sunway_broadcast_inputs(const tir::PrimFunc &f);

/// sunway_tile_cost when `b` broadcasts its stage: every CPE runs b.rounds()
/// tiles; the stage costs one broadcast per group and step on the shared
/// engine (perf::Params::bcast_seconds) instead of a fetch per CPE; the
/// barriers around the broadcasts add; the whole held 25% pessimistic (the
/// estimate proved optimistic against the emulator-based prediction).
double sunway_broadcast_cost(const tir::PrimFunc &f, const Target &t, const tir::BroadcastPlan &b,
                             double vector_flops, double scalar_flops);

/// The Sunway schedule with explicit tile sizes: `reduce_tile` elements of the
/// first reduce axis and `row_tile` of the last output axis staged per step.
/// Does not check the LDM budget (see check_ldm).
schedule::Schedule sunway_schedule(const schedule::ComputeDef &def, int64_t row_tile,
                                   int64_t reduce_tile, int cpes);

/// user_error if the lowered kernel needs more LDM than the target has.
void check_ldm(const tir::PrimFunc &f, const Target &t, const std::string &what);

}  // namespace swtc::target
