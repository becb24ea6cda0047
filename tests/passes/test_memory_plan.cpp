// plan_memory (swtc_graph): slots of inputs, outputs, weights and the
// liveness-shared workspace; the no-overlap property on random step lists.
#include <gtest/gtest.h>

#include <random>

#include "common/error.h"
#include "graph/passes/memory_plan.h"
#include "graph_builder.h"

namespace swtc::graph {
namespace {

using Kind = MemoryPlan::Kind;
using test::GraphBuilder;
using test::random_tensor;
using test::tensor_i64;

/// A value that is neither input nor constant (an intermediate), no producer
/// node (plan_memory looks only at values, inputs, outputs and the steps).
int intermediate(Graph &g, const std::string &name, const Shape &shape,
                 DType dt = DType::F32) {
  Value v;
  v.name = name;
  v.dtype = dt;
  v.shape = shape;
  v.has_shape = true;
  return g.add_value(v);
}

int64_t align64(int64_t n) { return (n + 63) / 64 * 64; }
int64_t bytes(const Graph &g, int v) {
  return num_elements(g.values[v].shape) * (g.values[v].dtype == DType::F32 ? 4 : 8);
}

bool same_slot(const MemoryPlan::Slot &a, const MemoryPlan::Slot &b) {
  return a.kind == b.kind && a.index == b.index && a.offset == b.offset;
}

bool same_plan(const MemoryPlan &a, const MemoryPlan &b) {
  if (a.slots.size() != b.slots.size() || a.workspace_bytes != b.workspace_bytes ||
      a.weights_bytes != b.weights_bytes || a.intermediate_bytes != b.intermediate_bytes)
    return false;
  for (size_t i = 0; i < a.slots.size(); ++i)
    if (!same_slot(a.slots[i], b.slots[i])) return false;
  return true;
}

int root_of(const std::vector<int> &alias_of, int v) {
  while (alias_of[v] >= 0) v = alias_of[v];
  return v;
}

/// Checks every workspace tensor: aligned, inside the workspace, and two
/// tensors whose byte ranges overlap are never used by one step and have
/// disjoint live ranges (first..last step touching the tensor or a view of it).
void check_workspace(const Graph &g, const std::vector<Step> &steps,
                     const std::vector<int> &alias_of, const MemoryPlan &p) {
  const int nv = static_cast<int>(g.values.size());
  ASSERT_EQ(p.slots.size(), g.values.size());
  std::vector<int> first(nv, -1), last(nv, -1);
  for (int s = 0; s < static_cast<int>(steps.size()); ++s) {
    std::vector<int> used = steps[s].reads;
    used.push_back(steps[s].write);
    for (int v : used) {
      const int r = root_of(alias_of, v);
      if (first[r] < 0) first[r] = s;
      last[r] = s;
    }
  }
  std::vector<int> ws;
  int64_t sum = 0;
  for (int v = 0; v < nv; ++v) {
    if (alias_of[v] >= 0) {
      EXPECT_TRUE(same_slot(p.slots[v], p.slots[root_of(alias_of, v)]))
          << "view " << g.values[v].name << " does not share its source's slot";
      continue;
    }
    if (p.slots[v].kind != Kind::Workspace) continue;
    EXPECT_GE(first[v], 0) << g.values[v].name << " is in the workspace but no step uses it";
    EXPECT_FALSE(g.values[v].constant.has_value()) << g.values[v].name;
    EXPECT_EQ(p.slots[v].offset % 64, 0) << g.values[v].name;
    EXPECT_GE(p.slots[v].offset, 0);
    EXPECT_LE(p.slots[v].offset + bytes(g, v), p.workspace_bytes) << g.values[v].name;
    ws.push_back(v);
    sum += align64(bytes(g, v));
  }
  // Every intermediate root a step touches is in the workspace.
  for (int v = 0; v < nv; ++v)
    if (first[v] >= 0 && !g.values[v].constant && p.slots[v].kind == Kind::None)
      ADD_FAILURE() << g.values[v].name << " is used by a step but has no slot";
  EXPECT_EQ(p.intermediate_bytes, sum);
  EXPECT_LE(p.workspace_bytes, p.intermediate_bytes);
  for (size_t i = 0; i < ws.size(); ++i)
    for (size_t j = i + 1; j < ws.size(); ++j) {
      const int a = ws[i], b = ws[j];
      const int64_t a0 = p.slots[a].offset, a1 = a0 + bytes(g, a);
      const int64_t b0 = p.slots[b].offset, b1 = b0 + bytes(g, b);
      if (a0 < b1 && b0 < a1) {
        EXPECT_TRUE(last[a] < first[b] || last[b] < first[a])
            << g.values[a].name << " [" << a0 << "," << a1 << ") live " << first[a] << ".."
            << last[a] << " overlaps " << g.values[b].name << " [" << b0 << "," << b1
            << ") live " << first[b] << ".." << last[b];
      }
    }
}

TEST(MemoryPlan, ElementwiseChainReusesWorkspace) {
  // x -> a -> b -> c -> d: a and c are never live together, so they share.
  GraphBuilder gb;
  const int x = gb.input("x", {1000});
  Graph &g = gb.graph();
  const int a = intermediate(g, "a", {1000}), b = intermediate(g, "b", {1000}),
            c = intermediate(g, "c", {1000}), d = intermediate(g, "d", {1000});
  g.outputs = {d};
  std::vector<Step> steps = {{{x}, a}, {{a}, b}, {{b}, c}, {{c}, d}};
  std::vector<int> alias(g.values.size(), -1);
  MemoryPlan p = plan_memory(g, steps, alias);
  EXPECT_EQ(p.slots[x].kind, Kind::Input);
  EXPECT_EQ(p.slots[d].kind, Kind::Output);
  for (int v : {a, b, c}) EXPECT_EQ(p.slots[v].kind, Kind::Workspace) << v;
  EXPECT_EQ(p.intermediate_bytes, 3 * align64(4000));
  EXPECT_LT(p.workspace_bytes, p.intermediate_bytes);
  EXPECT_EQ(p.workspace_bytes, 2 * align64(4000));
  EXPECT_EQ(p.slots[a].offset, p.slots[c].offset);
  EXPECT_NE(p.slots[a].offset, p.slots[b].offset);
  EXPECT_EQ(p.weights_bytes, 0);
  check_workspace(g, steps, alias, p);
}

TEST(MemoryPlan, OddSizesAreAlignedTo64Bytes) {
  GraphBuilder gb;
  const int x = gb.input("x", {3});
  Graph &g = gb.graph();
  // Three tensors live at once (step 2 reads a and b and writes c).
  const int a = intermediate(g, "a", {3}), b = intermediate(g, "b", {17}),
            c = intermediate(g, "c", {5}, DType::I64), y = intermediate(g, "y", {1});
  g.outputs = {y};
  std::vector<Step> steps = {{{x}, a}, {{x}, b}, {{a, b}, c}, {{c, a}, y}};
  std::vector<int> alias(g.values.size(), -1);
  MemoryPlan p = plan_memory(g, steps, alias);
  for (int v : {a, b, c}) {
    ASSERT_EQ(p.slots[v].kind, Kind::Workspace);
    EXPECT_EQ(p.slots[v].offset % 64, 0) << g.values[v].name;
  }
  EXPECT_EQ(p.intermediate_bytes, 64 + 128 + 64);
  EXPECT_EQ(p.workspace_bytes, 64 + 128 + 64);
  check_workspace(g, steps, alias, p);
}

TEST(MemoryPlan, WeightsGetDistinctAlignedOffsetsInValueOrder) {
  GraphBuilder gb;
  const int x = gb.input("x", {4});
  const int w0 = gb.constant("w0", random_tensor({10}, 1));          // 40 -> 64
  const int unused = gb.constant("unused", random_tensor({7}, 2));   // never read
  const int w1 = gb.constant("w1", tensor_i64({3}, {1, 2, 3}));      // 24 -> 64
  const int w2 = gb.constant("w2", random_tensor({5, 20}, 3));       // 400 -> 448
  const int w3 = gb.constant("w3", random_tensor({16}, 4));          // 64, read via a view
  Graph &g = gb.graph();
  const int w3v = intermediate(g, "w3_view", {4, 4});
  const int a = intermediate(g, "a", {4}), y = intermediate(g, "y", {4});
  g.outputs = {y};
  std::vector<int> alias(g.values.size(), -1);
  alias[w3v] = w3;
  // Read order (w2, w3 view, w1, w0) differs from value order.
  std::vector<Step> steps = {{{x, w2, w3v}, a}, {{a, w1, w0}, y}};
  MemoryPlan p = plan_memory(g, steps, alias);
  for (int w : {w0, w1, w2, w3}) EXPECT_EQ(p.slots[w].kind, Kind::Weight) << g.values[w].name;
  EXPECT_EQ(p.slots[w0].offset, 0);
  EXPECT_EQ(p.slots[w1].offset, 64);
  EXPECT_EQ(p.slots[w2].offset, 128);
  EXPECT_EQ(p.slots[w3].offset, 128 + 448);
  EXPECT_EQ(p.weights_bytes, 128 + 448 + 64);
  EXPECT_EQ(p.slots[unused].kind, Kind::None);
  EXPECT_TRUE(same_slot(p.slots[w3v], p.slots[w3]));
  check_workspace(g, steps, alias, p);
}

TEST(MemoryPlan, InputsAndOutputsGetTheirPositions) {
  GraphBuilder gb;
  const int x0 = gb.input("x0", {8});
  const int x1 = gb.input("x1", {8});
  Graph &g = gb.graph();
  const int y0 = intermediate(g, "y0", {8}), t = intermediate(g, "t", {8}),
            y1 = intermediate(g, "y1", {8});
  g.outputs = {y1, y0};  // not in value order
  // A view of an input shares the input's slot.
  const int x1v = intermediate(g, "x1_view", {2, 4});
  std::vector<int> alias(g.values.size(), -1);
  alias[x1v] = x1;
  std::vector<Step> steps = {{{x1v, x0}, y0}, {{y0}, t}, {{t, x0}, y1}};
  MemoryPlan p = plan_memory(g, steps, alias);
  EXPECT_EQ(p.slots[x0].kind, Kind::Input);
  EXPECT_EQ(p.slots[x0].index, 0);
  EXPECT_EQ(p.slots[x1].kind, Kind::Input);
  EXPECT_EQ(p.slots[x1].index, 1);
  EXPECT_EQ(p.slots[y1].kind, Kind::Output);
  EXPECT_EQ(p.slots[y1].index, 0);
  EXPECT_EQ(p.slots[y0].kind, Kind::Output);
  EXPECT_EQ(p.slots[y0].index, 1);
  EXPECT_TRUE(same_slot(p.slots[x1v], p.slots[x1]));
  EXPECT_EQ(p.slots[t].kind, Kind::Workspace);
  EXPECT_EQ(p.workspace_bytes, 64);
  EXPECT_EQ(p.intermediate_bytes, 64);
  check_workspace(g, steps, alias, p);
}

TEST(MemoryPlan, ViewReadLateKeepsItsSourceAlive) {
  // a is read directly only by step 1, but its view (and a view of the view)
  // is read by step 3: a must not share bytes with b or c.
  GraphBuilder gb;
  const int x = gb.input("x", {256});
  Graph &g = gb.graph();
  const int a = intermediate(g, "a", {256}), av = intermediate(g, "a_view", {16, 16}),
            avv = intermediate(g, "a_view2", {256}), b = intermediate(g, "b", {256}),
            c = intermediate(g, "c", {256}), y = intermediate(g, "y", {256});
  g.outputs = {y};
  std::vector<int> alias(g.values.size(), -1);
  alias[av] = a;
  alias[avv] = av;
  std::vector<Step> steps = {{{x}, a}, {{a}, b}, {{b}, c}, {{c, avv}, y}};
  MemoryPlan p = plan_memory(g, steps, alias);
  ASSERT_EQ(p.slots[a].kind, Kind::Workspace);
  EXPECT_TRUE(same_slot(p.slots[av], p.slots[a]));
  EXPECT_TRUE(same_slot(p.slots[avv], p.slots[a]));
  EXPECT_NE(p.slots[a].offset, p.slots[c].offset);
  EXPECT_NE(p.slots[a].offset, p.slots[b].offset);
  // a is live throughout; b and c meet at step 2: three tensors at once.
  EXPECT_EQ(p.workspace_bytes, 3 * 1024);
  check_workspace(g, steps, alias, p);

  // Without the late read, a and c may share (sanity: the test can tell).
  std::vector<Step> early = {{{x}, a}, {{a}, b}, {{b}, c}, {{c}, y}};
  MemoryPlan q = plan_memory(g, early, alias);
  EXPECT_EQ(q.slots[a].offset, q.slots[c].offset);
}

TEST(MemoryPlan, GraphOutputThatIsAViewIsRefused) {
  GraphBuilder gb;
  const int x = gb.input("x", {4});
  Graph &g = gb.graph();
  const int a = intermediate(g, "a", {4}), av = intermediate(g, "a_view", {2, 2});
  g.outputs = {av};
  std::vector<int> alias(g.values.size(), -1);
  alias[av] = a;
  EXPECT_THROW(plan_memory(g, {{{x}, a}}, alias), InternalError);
}

/// A random DAG of `n` steps over values of random sizes: each step reads 1-3
/// earlier values (inputs, weights, intermediates or views of them) and writes
/// a new one; some values get views; a few are graph outputs.
struct RandomDag {
  Graph g;
  std::vector<Step> steps;
  std::vector<int> alias;
};

RandomDag random_dag(unsigned seed, int n) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomDag d;
  GraphBuilder gb;
  std::vector<int> readable;
  readable.push_back(gb.input("in0", {pick(1, 300)}));
  readable.push_back(gb.input("in1", {pick(1, 300)}));
  readable.push_back(gb.constant("w0", random_tensor({pick(1, 100)}, seed)));
  readable.push_back(gb.constant("w1", random_tensor({pick(1, 100)}, seed + 1)));
  d.g = gb.graph();
  std::vector<int> written;
  for (int s = 0; s < n; ++s) {
    Step st;
    const int k = pick(1, 3);
    for (int r = 0; r < k; ++r) {
      // Prefer recent values, sometimes reach far back.
      const int m = static_cast<int>(readable.size());
      const int idx = pick(0, 3) == 0 ? pick(0, m - 1) : std::max(0, m - 1 - pick(0, 4));
      st.reads.push_back(readable[idx]);
    }
    const int64_t elems = pick(1, 2000);
    const DType dt = pick(0, 5) == 0 ? DType::I64 : DType::F32;
    st.write = intermediate(d.g, "t" + std::to_string(s), {elems}, dt);
    d.steps.push_back(st);
    readable.push_back(st.write);
    written.push_back(st.write);
    if (pick(0, 3) == 0) {  // a view (possibly of a view) of something readable
      const int src = readable[pick(0, static_cast<int>(readable.size()) - 1)];
      const int v = intermediate(d.g, "v" + std::to_string(s), d.g.values[src].shape,
                                 d.g.values[src].dtype);
      readable.push_back(v);
      d.alias.resize(d.g.values.size(), -1);
      d.alias[v] = src;
    }
  }
  d.alias.resize(d.g.values.size(), -1);
  // The last written value and a couple of random ones are graph outputs.
  d.g.outputs.push_back(written.back());
  for (int i = 0; i < 2; ++i) {
    const int v = written[pick(0, static_cast<int>(written.size()) - 2)];
    if (std::find(d.g.outputs.begin(), d.g.outputs.end(), v) == d.g.outputs.end())
      d.g.outputs.push_back(v);
  }
  return d;
}

TEST(MemoryPlan, RandomDagsNeverShareBytesBetweenLiveTensors) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomDag d = random_dag(seed, 30);
    MemoryPlan p = plan_memory(d.g, d.steps, d.alias);
    check_workspace(d.g, d.steps, d.alias, p);
    for (size_t i = 0; i < d.g.inputs.size(); ++i) {
      EXPECT_EQ(p.slots[d.g.inputs[i]].kind, Kind::Input);
      EXPECT_EQ(p.slots[d.g.inputs[i]].index, static_cast<int>(i));
    }
    for (size_t i = 0; i < d.g.outputs.size(); ++i) {
      EXPECT_EQ(p.slots[d.g.outputs[i]].kind, Kind::Output);
      EXPECT_EQ(p.slots[d.g.outputs[i]].index, static_cast<int>(i));
    }
    int64_t woff = 0;
    for (size_t v = 0; v < d.g.values.size(); ++v)
      if (p.slots[v].kind == Kind::Weight && d.alias[v] < 0) {
        EXPECT_EQ(p.slots[v].offset, woff) << d.g.values[v].name;
        woff += align64(bytes(d.g, static_cast<int>(v)));
      }
    EXPECT_EQ(p.weights_bytes, woff);
    // Sharing happens on DAGs this long: the plan is not the trivial one.
    EXPECT_LT(p.workspace_bytes, p.intermediate_bytes);
    // Deterministic.
    EXPECT_TRUE(same_plan(p, plan_memory(d.g, d.steps, d.alias)));
  }
}

TEST(MemoryPlan, PartsPlacedAtOffsetsInTheirConcat) {
  // a and b are written into c (a Concat computed in place) at 0 and 4096
  // bytes; a is read again after c's last use, so c lives until then and
  // nothing else (d) may take its bytes meanwhile.
  GraphBuilder gb;
  const int x = gb.input("x", {1024});
  Graph &g = gb.graph();
  const int a = intermediate(g, "a", {1024}), b = intermediate(g, "b", {1024}),
            c = intermediate(g, "c", {2048}), d = intermediate(g, "d", {2048}),
            y = intermediate(g, "y", {1024});
  g.outputs = {y};
  std::vector<Step> steps = {{{x}, a}, {{x}, b}, {{c}, d}, {{d, a}, y}};
  std::vector<int> alias(g.values.size(), -1);
  std::vector<int64_t> offset(g.values.size(), 0);
  alias[a] = c, alias[b] = c;
  offset[b] = 4096;
  MemoryPlan p = plan_memory(g, steps, alias, offset);
  ASSERT_EQ(p.slots[c].kind, Kind::Workspace);
  EXPECT_EQ(p.slots[a].offset, p.slots[c].offset);
  EXPECT_EQ(p.slots[b].offset, p.slots[c].offset + 4096);
  const int64_t c0 = p.slots[c].offset, d0 = p.slots[d].offset;
  EXPECT_TRUE(d0 >= c0 + 8192 || d0 + 8192 <= c0) << "d overlaps c while a is live";
  // A part whose root is not workspace (a graph output) cannot be offset.
  g.outputs = {c};
  EXPECT_THROW(plan_memory(g, {{{x}, a}, {{x}, b}}, alias, offset), InternalError);
}

}  // namespace
}  // namespace swtc::graph
