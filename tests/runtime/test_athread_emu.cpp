// Runs the emulator test programs (tests/runtime/progs) and checks their exit
// status, output and the emulator's messages and counters.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include "swemu.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct RunResult {
  int status = -1;  // exit status, or -1 if killed by a signal
  std::string out, err;
};

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string work_dir() {
  const auto *info = testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path d = std::filesystem::path(SWEMU_WORK_DIR) / "work" /
                            (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

// Runs `env` + `cmd` under a time limit, stdout/stderr to files in dir.
RunResult run_in(const std::string &dir, const std::string &cmd, const std::string &env = "") {
  std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
  std::string full = "env -u SWEMU_LDM_BYTES -u SWEMU_REPORT_JSON -u SWEMU_REPORT "
                     "SWEMU_TIMEOUT=20 " +
                     env + " timeout -k 2 30 " + cmd + " >" + out + " 2>" + err;
  int rc = std::system(full.c_str());
  RunResult r;
  r.status = (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

RunResult run(const std::string &cmd, const std::string &env = "") { return run_in(work_dir(), cmd, env); }

#define EXPECT_HAS(hay, needle) \
  EXPECT_NE((hay).find(needle), std::string::npos) << "missing: " << (needle) << "\nin: " << (hay)

}  // namespace

TEST(AthreadEmu, VecAddOver64Cpes) {
  RunResult r = run(SWEMU_PROG_VECADD);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "vecadd ok");
  EXPECT_EQ(r.err, "");
}

TEST(AthreadEmu, StridedGetAndPut) {
  RunResult r = run(SWEMU_PROG_STRIDED);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "strided ok");
}

TEST(AthreadEmu, BarriersArrayRowColumn) {
  RunResult r = run(SWEMU_PROG_BARRIER);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "barrier ok");
}

TEST(AthreadEmu, BarrierDeadlockIsReported) {
  RunResult r = run(std::string(SWEMU_PROG_BARRIER) + " deadlock");
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_HAS(r.err, "swemu: error: kernel 'barrier_kernel' CPE ");
  EXPECT_HAS(r.err, "athread_syn deadlock");
}

TEST(AthreadEmu, CountersPerLaunchAndCpe) {
  std::string dir = work_dir();
  std::string json_path = dir + "/report.json";
  RunResult r = run_in(dir, SWEMU_PROG_COUNTERS, "SWEMU_REPORT_JSON=" + json_path);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "counters ok");
  EXPECT_HAS(r.out, "count_kernel");
  EXPECT_HAS(r.out, "other_kernel");
  nlohmann::json j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["ldm_static_bytes"].get<long>(), 64 * 4);  // one float[64]
  EXPECT_EQ(j["ldm_budget_bytes"].get<long>(), 65536 - 4096);
  ASSERT_EQ(j["launches"].size(), 4u);
  EXPECT_EQ(j["launches"][0]["kernel"], "count_kernel");
  EXPECT_EQ(j["launches"][1]["kernel"], "other_kernel");
  EXPECT_EQ(j["launches"][2]["kernel"], "other_kernel");
  EXPECT_EQ(j["launches"][3]["kernel"], "ops_kernel");
  // LDM used per launch (max over CPEs), observed on the registered arena.
  EXPECT_EQ(j["launches"][0]["ldm_used_bytes"].get<long>(), 256);
  EXPECT_EQ(j["launches"][1]["ldm_used_bytes"].get<long>(), 64);
  EXPECT_EQ(j["launches"][3]["ldm_used_bytes"].get<long>(), 64);  // buf[0..15]
  for (int id = 0; id < 64; id++) {
    const auto &c = j["launches"][3]["cpes"][id];
    const long vec = 8L * (id + 1) + 4L * id;  // vmas 2x4 lanes, vadds 4 lanes
    EXPECT_EQ(c["vector_flops"].get<long>(), vec) << id;
    EXPECT_EQ(c["flops"].get<long>(), vec + 3L * (id % 16 + 1)) << id;
    EXPECT_FALSE(j["launches"][0]["cpes"][id].contains("vector_flops")) << id;
  }
  for (int l = 0; l < 3; l++) {
    const auto &cpes = j["launches"][l]["cpes"];
    ASSERT_EQ(cpes.size(), 64u);
    EXPECT_GE(j["launches"][l]["seconds"].get<double>(), 0.0);
    for (int id = 0; id < 64; id++) {
      const auto &c = cpes[id];
      if (l == 0) {
        // Transfer sizes: the puts of 128 B in bin 7, the gets of 256 B in bin 8.
        EXPECT_EQ(c["size_hist"], nlohmann::json::parse(
                                      "[[7," + std::to_string(id % 3 + 1) + "," +
                                      std::to_string(128 * (id % 3 + 1)) + "],[8," +
                                      std::to_string(id % 4 + 1) + "," +
                                      std::to_string(256 * (id % 4 + 1)) + "]]"))
            << id;
        EXPECT_FALSE(c.contains("block_hist")) << id;
        EXPECT_EQ(c["get_count"].get<long>(), id % 4 + 1) << id;
        EXPECT_EQ(c["get_bytes"].get<long>(), 256 * (id % 4 + 1)) << id;
        EXPECT_EQ(c["put_count"].get<long>(), id % 3 + 1) << id;
        EXPECT_EQ(c["put_bytes"].get<long>(), 128 * (id % 3 + 1)) << id;
        EXPECT_EQ(c["flops"].get<long>(), 10 * id) << id;
      } else {
        // One strided get of 4 blocks of 16 B: bin 4 of the block sizes.
        EXPECT_EQ(c["block_hist"], nlohmann::json::parse("[[4,4,64]]")) << id;
        EXPECT_FALSE(c.contains("size_hist")) << id;
        EXPECT_EQ(c["get_count"].get<long>(), 1) << id;
        EXPECT_EQ(c["get_bytes"].get<long>(), 64) << id;
        EXPECT_EQ(c["put_count"].get<long>(), 0) << id;
        EXPECT_EQ(c["put_bytes"].get<long>(), 0) << id;
        EXPECT_EQ(c["flops"].get<long>(), 0) << id;
      }
    }
  }
}

TEST(AthreadEmu, CoreGroupReportHasItsOwnFile) {
  // A process of a --core-groups run (swemu_set_core_group(2)): the JSON
  // report goes to <path>.cg2.json with "core_group":2, the rest unchanged.
  std::string dir = work_dir();
  RunResult r = run_in(dir, SWEMU_PROG_COUNTERS,
                       "COUNTERS_CORE_GROUP=2 SWEMU_REPORT=1 SWEMU_REPORT_JSON=" + dir +
                           "/report.json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/report.json"));
  ASSERT_TRUE(std::filesystem::exists(dir + "/report.cg2.json"));
  nlohmann::json j = nlohmann::json::parse(slurp(dir + "/report.cg2.json"));
  EXPECT_EQ(j["core_group"].get<int>(), 2);
  EXPECT_EQ(j["launches"].size(), 4u);
  EXPECT_HAS(r.err, "swemu report of core group 2");
  // Without a core group: no field, the path as given.
  r = run_in(dir, SWEMU_PROG_COUNTERS, "SWEMU_REPORT_JSON=" + dir + "/plain");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(slurp(dir + "/plain")).contains("core_group"));
  r = run_in(dir, SWEMU_PROG_COUNTERS, "COUNTERS_CORE_GROUP=0 SWEMU_REPORT_JSON=" + dir + "/plain");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir + "/plain.cg0"))["core_group"].get<int>(), 0);
}

TEST(AthreadEmu, LinkFlagsAgreeBetweenHeaderAndCMake) {
  EXPECT_EQ(std::string(SWEMU_LDFLAGS), std::string(SWEMU_WRAP_FLAGS));
  EXPECT_EQ(SWEMU_LDM_DEFAULT_BYTES - SWEMU_LDM_RESERVE_BYTES, 61440);
}

TEST(AthreadEmu, LdmOverflowStopsTheRun) {
  RunResult r = run(SWEMU_PROG_LDM_OVERFLOW);
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_HAS(r.err,
             "swemu: error: LDM overflow: __thread_local data is 70000 bytes, budget 61440 "
             "(65536 LDM - 4096 reserve)");
  EXPECT_EQ(r.out.find("ran"), std::string::npos);
}

TEST(AthreadEmu, LdmBudgetFollowsEnvironment) {  // e.g. SW26010-Pro's 256 KB
  RunResult r = run(SWEMU_PROG_LDM_OVERFLOW, "SWEMU_LDM_BYTES=262144");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "ldm_overflow ran");
}

struct BadCase {
  const char *mode;
  int status;
  const char *msg1;
  const char *msg2;
};

void PrintTo(const BadCase &c, std::ostream *os) { *os << c.mode; }

class BadDma : public testing::TestWithParam<BadCase> {};

TEST_P(BadDma, Reported) {
  const BadCase &c = GetParam();
  RunResult r = run(std::string(SWEMU_PROG_BAD_DMA) + " " + c.mode);
  EXPECT_EQ(r.status, c.status) << r.err;
  if (c.status == 0) {
    EXPECT_HAS(r.out, "bad_dma ok");
    EXPECT_EQ(r.err, "");
  } else {
    EXPECT_HAS(r.err, "swemu: error: ");
    EXPECT_EQ(r.out.find("bad_dma ok"), std::string::npos);
    // exactly one line
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  if (c.msg1) {
    EXPECT_HAS(r.err, c.msg1);
  }
  if (c.msg2) {
    EXPECT_HAS(r.err, c.msg2);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AthreadEmu, BadDma,
    testing::Values(
        BadCase{"none", 0, nullptr, nullptr}, BadCase{"static_ok", 0, nullptr, nullptr},
        BadCase{"get_oob", 3,
                "swemu: error: kernel 'bad_kernel' CPE 17: athread_get: main-memory range [",
                "+4100) is outside every known buffer (it starts in heap block"},
        BadCase{"put_oob", 3, "kernel 'bad_kernel' CPE 17: athread_put: main-memory range",
                "runs 4 bytes past its end"},
        BadCase{"stride_oob", 3,
                "kernel 'bad_kernel' CPE 17: athread_get: block 59 of 64 (bsize 64, stride 4)",
                "runs 4 bytes past its end"},
        BadCase{"ldm_side", 3, "kernel 'bad_kernel' CPE 17: athread_get: LDM side of DMA is not in LDM",
                nullptr},
        BadCase{"mode", 3, "CPE 17: athread_get: DMA mode ROW_MODE is not supported", nullptr},
        BadCase{"len", 3, "CPE 17: athread_get: len 0 must be > 0", nullptr},
        BadCase{"registered", 3, "CPE 17: athread_get:", "starts in buffer 'weights'"},
        BadCase{"rodata_put", 3, "CPE 17: athread_put:", "not writable"},
        BadCase{"reply", 3, "CPE 17: athread_get: reply word", "is not in LDM"},
        BadCase{"freed", 3, "kernel 'bad_kernel' CPE ", "is outside every known buffer"},
        BadCase{"mpe_dma", 3, "swemu: error: athread_get called outside a CPE kernel", nullptr}),
    [](const testing::TestParamInfo<BadCase> &i) { return std::string(i.param.mode); });

TEST(AthreadEmu, BroadcastReachesEveryCpeOfTheMaskAfterTheBarrier) {
  std::string dir = work_dir();
  RunResult r = run_in(dir, SWEMU_PROG_BCAST, "SWEMU_REPORT_JSON=" + dir + "/report.json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "bcast ok");
  // Counted separately, on the issuer: CPE 0 issued 8 rounds to all and 8 to
  // its row, the first CPE of every other row 8; nobody else issued any.
  nlohmann::json j = nlohmann::json::parse(slurp(dir + "/report.json"));
  ASSERT_EQ(j["launches"].size(), 1u);
  for (int id = 0; id < 64; id++) {
    const auto &c = j["launches"][0]["cpes"][id];
    const long want = id == 0 ? 16 : id % 8 == 0 ? 8 : 0;
    EXPECT_EQ(c.value("bcast_count", 0L), want) << id;
    EXPECT_EQ(c.value("bcast_bytes", 0L), want * 1024) << id;
    EXPECT_EQ(c["get_count"].get<long>(), 0) << id;  // broadcasts are not gets
    EXPECT_EQ(c["get_bytes"].get<long>(), 0) << id;
    EXPECT_EQ(c["syn_count"].get<long>(), 34) << id;  // 16 array + 16 row + 2
  }
}

TEST(AthreadEmu, MissingBarrierAfterBroadcastGivesWrongResults) {
  // Receivers that read the broadcast block without the barrier after it see
  // stale data (the emulator delivers at the barrier): the sums are wrong.
  RunResult r = run(std::string(SWEMU_PROG_BCAST) + " no_syn_after");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_HAS(r.err, "bcast: ");
  EXPECT_HAS(r.err, " errors");
  EXPECT_EQ(r.out.find("bcast ok"), std::string::npos);
}

class BadBroadcast : public testing::TestWithParam<BadCase> {};

TEST_P(BadBroadcast, Reported) {
  const BadCase &c = GetParam();
  RunResult r = run(std::string(SWEMU_PROG_BCAST) + " " + c.mode);
  EXPECT_EQ(r.status, c.status) << r.err;
  EXPECT_HAS(r.err, "swemu: error: ");
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_HAS(r.err, c.msg1);
  if (c.msg2) {
    EXPECT_HAS(r.err, c.msg2);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AthreadEmu, BadBroadcast,
    testing::Values(
        BadCase{"receiver_issues", 3, "athread_get(BCAST_MODE): the broadcast of CPE ",
                "a receiver issuing (exactly one CPE calls athread_get(BCAST_MODE)"},
        BadCase{"put", 3, "kernel 'bcast_kernel' CPE 0: athread_put: BCAST_MODE: there is no "
                          "broadcast put", nullptr},
        BadCase{"unaligned_reply", 3, "CPE 0: athread_get(BCAST_MODE): reply word ",
                "is not 4-byte aligned"},
        BadCase{"undelivered", 3, "kernel 'bcast_kernel': the broadcast of CPE 0",
                "never reached CPE 1: no athread_syn after it"},
        BadCase{"stack", 3, "CPE 0: athread_get(BCAST_MODE): LDM side",
                "must be __thread_local data"},
        BadCase{"strided", 3, "CPE 0: athread_get(BCAST_MODE): strided broadcast (stride 4, bsize 4)",
                nullptr}),
    [](const testing::TestParamInfo<BadCase> &i) { return std::string(i.param.mode); });

TEST(AthreadEmu, HungKernelTimesOut) {
  RunResult r = run(std::string(SWEMU_PROG_BAD_DMA) + " hang", "SWEMU_TIMEOUT=1");
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_HAS(r.err, "swemu: error: kernel 'bad_kernel' did not finish within SWEMU_TIMEOUT=1 s "
                    "(1 CPE(s) still running");
}

// The compiler copies athread_emu.c, swemu.h and include/ into its output and
// builds with plain gcc: do exactly that with the vector-add program.
TEST(AthreadEmu, StandaloneBuildLikeGeneratedMakefile) {
  namespace fs = std::filesystem;
  std::string dir = work_dir();
  fs::path emu = fs::path(dir) / "emu";
  fs::create_directories(emu / "include");
  for (const char *f : {"athread_emu.c", "swemu.h"})
    fs::copy_file(fs::path(SWEMU_SRC_DIR) / f, emu / f);
  for (const char *f : {"athread.h", "slave.h", "simd.h", "swemu_ops.h"})
    fs::copy_file(fs::path(SWEMU_SRC_DIR) / "include" / f, emu / "include" / f);
  std::string cc = SWEMU_CC, e = emu.string(), p = SWEMU_PROGS_DIR, d = dir;
  std::string gen = " -std=c99 -O2 -Wall -Wextra -Werror -DSWEMU -I" + e + "/include -I" + e +
                    " -I" + p + " -c ";
  std::string cmd = cc + gen + p + "/vecadd_host.c -o " + d + "/host.o && " + cc + gen + p +
                    "/vecadd_slave.c -o " + d + "/slave.o && " + cc +
                    " -std=gnu11 -O2 -Wall -Wextra -Werror -I" + e + "/include -I" + e + " -c " +
                    e + "/athread_emu.c -o " + d + "/emu.o && " + cc + " " + d + "/host.o " + d +
                    "/slave.o " + d + "/emu.o " + SWEMU_WRAP_FLAGS + " -lpthread -ldl -o " + d +
                    "/vecadd";
  RunResult b = run_in(dir, "sh -c '" + cmd + "'");
  ASSERT_EQ(b.status, 0) << b.err;
  RunResult r = run_in(dir, d + "/vecadd");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "vecadd ok");
  EXPECT_EQ(r.err, "");

  // Linked without the wrap flags: it still runs, and says bounds are unchecked.
  RunResult b2 = run_in(dir, cc + " " + d + "/host.o " + d + "/slave.o " + d +
                           "/emu.o -lpthread -ldl -o " + d + "/vecadd_nowrap");
  ASSERT_EQ(b2.status, 0) << b2.err;
  RunResult r2 = run_in(dir, d + "/vecadd_nowrap");
  EXPECT_EQ(r2.status, 0) << r2.err;
  EXPECT_HAS(r2.out, "vecadd ok");
  EXPECT_HAS(r2.err, "swemu: warning: heap tracking is off");
}

// ---------------------------------------------------------------------------
// SW26010-Pro: the crts.h API.

TEST(CrtsEmu, VecAddOver64CpesWithIgetIputWaitValue) {
  RunResult r = run(SWEMU_PROG_CRTS_VECADD);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "crts_vecadd ok");
  EXPECT_HAS(r.out, "ldm budget 258048");  // started through crts.h: 256 KB - 4 KB
  EXPECT_EQ(r.err, "");
}

TEST(CrtsEmu, CountersInJson) {
  std::string dir = work_dir();
  std::string json_path = dir + "/report.json";
  RunResult r = run_in(dir, SWEMU_PROG_CRTS_VECADD, "SWEMU_REPORT_JSON=" + json_path);
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["ldm_budget_bytes"].get<long>(), 262144 - 4096);
  ASSERT_EQ(j["launches"].size(), 2u);
  EXPECT_EQ(j["launches"][0]["kernel"], "crts_vecadd_kernel");
  const auto &c = j["launches"][1]["cpes"][63];
  EXPECT_EQ(c["get_count"].get<long>(), 2 * 4 + 1);
  EXPECT_EQ(c["get_bytes"].get<long>(), 2 * 8192 * 4 + 64 * 4);
  EXPECT_EQ(c["put_count"].get<long>(), 4 + 2);
  EXPECT_EQ(c["put_bytes"].get<long>(), 8192 * 4 + 8);
  // 8192 floats added by floatv8 simd_vadds, counted by the Pro simd.h.
  EXPECT_EQ(c["vector_flops"].get<long>(), 8192);
  EXPECT_EQ(c["flops"].get<long>(), 8192);
  EXPECT_FALSE(j["launches"][1].contains("ldm_used_bytes"));  // no arena registered
}

TEST(CrtsEmu, StridedGetAndPut) {
  RunResult r = run(SWEMU_PROG_CRTS_STRIDED);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "crts_strided ok");
  EXPECT_EQ(r.err, "");
}

TEST(CrtsEmu, Ldm200KbFitsOnThePro) {
  RunResult r = run(SWEMU_PROG_CRTS_LDM);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "crts_ldm ran");
}

TEST(CrtsEmu, Ldm200KbFailsOnTheSw26010) {
  RunResult r = run(SWEMU_PROG_LDM200);  // athread.h, plain emulator
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_HAS(r.err,
             "swemu: error: LDM overflow: __thread_local data is 204800 bytes, budget 61440 "
             "(65536 LDM - 4096 reserve)");
  EXPECT_EQ(r.out.find("ran"), std::string::npos);
  // The same program with the emulator compiled -DSWEMU_LDM_BYTES_DEFAULT=262144.
  RunResult p = run(SWEMU_PROG_LDM200_PRO);
  EXPECT_EQ(p.status, 0) << p.err;
  EXPECT_HAS(p.out, "ldm_overflow ran");
}

TEST(CrtsEmu, Ldm300KbFailsOnThePro) {
  RunResult r = run(SWEMU_PROG_CRTS_LDM300);
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(r.err,
            "swemu: error: LDM overflow: __thread_local data is 307200 bytes, budget 258048 "
            "(262144 LDM - 4096 reserve)\n");
  EXPECT_EQ(r.out.find("ran"), std::string::npos);
}

TEST(CrtsEmu, LdmEnvironmentOverridesThePro) {
  RunResult r = run(SWEMU_PROG_CRTS_LDM, "SWEMU_LDM_BYTES=65536");
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_HAS(r.err, "budget 61440 (65536 LDM - 4096 reserve)");
}

class CrtsBad : public testing::TestWithParam<BadCase> {};

TEST_P(CrtsBad, Reported) {
  const BadCase &c = GetParam();
  RunResult r = run(std::string(SWEMU_PROG_CRTS_BAD) + " " + c.mode);
  EXPECT_EQ(r.status, c.status) << r.err;
  if (c.status == 0) {
    EXPECT_HAS(r.out, "crts_bad ok");
    EXPECT_EQ(r.err, "");
  } else {
    EXPECT_HAS(r.err, "swemu: error: ");
    EXPECT_EQ(r.out.find("crts_bad ok"), std::string::npos);
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  if (c.msg1) {
    EXPECT_HAS(r.err, c.msg1);
  }
  if (c.msg2) {
    EXPECT_HAS(r.err, c.msg2);
  }
}

INSTANTIATE_TEST_SUITE_P(
    CrtsEmu, CrtsBad,
    testing::Values(
        BadCase{"none", 0, nullptr, nullptr},
        BadCase{"get_oob", 3,
                "swemu: error: kernel 'crts_bad_kernel' CPE 17: CRTS_dma_iget: main-memory range [",
                "+4100) is outside every known buffer (it starts in heap block"},
        BadCase{"put_oob", 3, "kernel 'crts_bad_kernel' CPE 17: CRTS_dma_iput: main-memory range",
                "runs 4 bytes past its end"},
        BadCase{"stride_oob", 3,
                "kernel 'crts_bad_kernel' CPE 17: CRTS_dma_iget_stride: block 59 of 64 (bsize 64, "
                "stride 4)",
                "runs 4 bytes past its end"},
        BadCase{"ldm_side", 3,
                "kernel 'crts_bad_kernel' CPE 17: CRTS_dma_iget: LDM side of DMA (dest) is not in LDM",
                nullptr},
        BadCase{"reply", 3, "CPE 17: CRTS_dma_iget: reply word", "is not in LDM"},
        BadCase{"len0", 3, "CPE 17: CRTS_dma_iget: len 0 must be > 0", nullptr},
        BadCase{"len_big", 3, "CPE 17: CRTS_dma_iget: len 262144 does not fit the 18-bit", nullptr},
        BadCase{"wait_hang", 3, "CPE 17: CRTS_dma_wait_value: waits for reply >= 2",
                "the reply word is 1"},
        BadCase{"blocking_oob", 3, "CPE 17: CRTS_dma_get: main-memory range", "runs 8 bytes past"},
        BadCase{"deadlock", 3, "kernel 'crts_bad_kernel' CPE ", "CRTS_ssync_array deadlock"},
        BadCase{"mpe_dma", 3, "swemu: error: CRTS_dma_iget called outside a CPE kernel", nullptr}),
    [](const testing::TestParamInfo<BadCase> &i) { return std::string(i.param.mode); });

// A generated Pro output: copy the emulator like the compiler does and build
// with plain gcc, MPE files -D__sw_host__, CPE files -D__sw_slave__,
// include_pro/ before include/, athread_emu.c with -DSWEMU_LDM_BYTES_DEFAULT.
TEST(CrtsEmu, StandaloneBuildLikeGeneratedMakefile) {
  namespace fs = std::filesystem;
  std::string dir = work_dir();
  fs::path emu = fs::path(dir) / "emu";
  fs::copy(fs::path(SWEMU_SRC_DIR), emu, fs::copy_options::recursive);
  std::string cc = SWEMU_CC, e = emu.string(), p = SWEMU_PROGS_DIR, d = dir;
  std::string inc = " -I" + e + "/include_pro -I" + e + "/include -I" + e + " -I" + p;
  std::string gen = " -std=c99 -O2 -Wall -Wextra -Werror -DSWEMU" + inc;
  std::string cmd = cc + gen + " -D__sw_host__ -c " + p + "/crts_vecadd_host.c -o " + d +
                    "/host.o && " + cc + gen + " -D__sw_slave__ -c " + p +
                    "/crts_vecadd_slave.c -o " + d + "/slave.o && " + cc +
                    " -std=gnu11 -O2 -Wall -Wextra -Werror -DSWEMU_LDM_BYTES_DEFAULT=262144" + inc +
                    " -c " + e + "/athread_emu.c -o " + d + "/emu.o && " + cc + " " + d +
                    "/host.o " + d + "/slave.o " + d + "/emu.o " + SWEMU_WRAP_FLAGS +
                    " -lpthread -ldl -o " + d + "/crts_vecadd";
  RunResult b = run_in(dir, "sh -c '" + cmd + "'");
  ASSERT_EQ(b.status, 0) << b.err;
  RunResult r = run_in(dir, d + "/crts_vecadd");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_HAS(r.out, "crts_vecadd ok");
  EXPECT_HAS(r.out, "ldm budget 258048");
  EXPECT_EQ(r.err, "");
}
