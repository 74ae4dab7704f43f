package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.graph.Graph;
import org.conv4j.graph.PreparedModel;
import org.conv4j.graph.Value;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profiling decorator computes what its backend computes and counts every kernel call. Nothing timed. */
class ProfilingBackendTest {
  @TempDir
  Path dir;

  @Test
  void aProfiledModelGivesTheSameOutputAndCountsEachKernel() {
    Conv2dSpec conv = Conv2dSpec.builder(3, 4, 3).padding(1).build();
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value c = b.conv2d(x, conv, BenchFixtures.random(conv.weightSize(), 2), BenchFixtures.random(4, 3));
    Value a = b.add(c, c);
    Value p = b.pool2d(b.activation(a, Activation.SIGMOID), Pool2dSpec.max(2).build());
    Value f = b.flatten(p, 1);
    b.output("y", b.linear(f, new LinearSpec(4 * 3 * 3, 5, true, Activation.NONE),
        BenchFixtures.random(4 * 9 * 5, 4), BenchFixtures.random(5, 5)));
    Graph g = b.build();
    int[] shape = {2, 3, 6, 6};
    Tensor in = Tensor.of(BenchFixtures.random(Tensor.numel(shape), 1), shape);
    Backend java = Backends.get("java");
    ProfilingBackend profiled = new ProfilingBackend(java);
    Tensor expected, actual;
    try (PreparedModel m = g.prepare(java, shape)) {
      expected = m.run(in);
    }
    try (PreparedModel m = g.prepare(profiled, shape)) {
      actual = m.run(in);
      m.run(in);
    }
    assertArrayEquals(expected.data(), actual.data());
    Map<String, ProfilingBackend.Tally> t = profiled.tallies();
    String convKey = t.keySet().stream().filter(k -> k.startsWith("Conv ")).findFirst().orElseThrow();
    assertTrue(convKey.endsWith("in [3, 6, 6] w [4, 3, 3, 3] out [4, 6, 6]"), convKey);
    for (var e : t.entrySet()) assertEquals(2, e.getValue().calls.sum(), e.getKey() + " runs once per model run");
    assertTrue(t.keySet().stream().anyMatch(k -> k.startsWith("Pool MAX 2x2")), t.keySet().toString());
    assertTrue(t.containsKey("Linear 36->5"), t.keySet().toString());
    profiled.reset();
    assertTrue(profiled.tallies().isEmpty());
  }

  @Test
  void poolSpecsAreRebuiltFromTheirGeometry() {
    for (Pool2dSpec s : List.of(Pool2dSpec.max(3).stride(2).padding(1).ceilMode(true).build(),
        Pool2dSpec.max(2, 3).dilation(2, 1).build(), Pool2dSpec.avg(3).stride(2).padding(1).countIncludePad(false)
            .build(), Pool2dSpec.adaptiveAvg(2, 3), Pool2dSpec.globalMax())) {
      Pool2dGeometry g = s.geometry(11, 9);
      assertEquals(g, ProfilingBackend.spec(g).geometry(11, 9), s.toString());
    }
  }

  @Test
  void ortProfilesAreReadFromTheLastRunsOnly() throws Exception {
    Path json = dir.resolve("p.json");
    String conv = "\"cat\" : \"Node\",\"pid\" :1,\"tid\" :1,\"dur\" :%d,\"ts\" :%d,\"ph\" : \"X\",\"name\" :"
        + "\"/conv1/Conv_kernel_time\",\"args\" : {\"output_type_shape\" : [{\"float\":[1,4,8,8]}],\"output_size\" : "
        + "\"1024\",\"input_type_shape\" : [{\"float\":[1,3,8,8]},{\"float\":[4,3,3,3]},{\"float\":[4]}],"
        + "\"op_name\" : \"FusedConv\"}";
    String run = "\"cat\" : \"Session\",\"pid\" :1,\"tid\" :1,\"dur\" :%d,\"ts\" :%d,\"ph\" : \"X\",\"name\" :"
        + "\"model_run\",\"args\" : {}";
    Files.write(dir.resolve("p.json"), List.of("[",
        "{" + String.format(run, 100, 10) + "},", "{" + String.format(conv, 9000, 20) + "},",
        "{" + String.format(run, 100, 200) + "},", "{" + String.format(conv, 40, 210) + "},",
        "{" + String.format(run, 100, 400) + "},", "{" + String.format(conv, 60, 410) + "}", "]"));
    Map<String, double[]> byKey = new java.util.LinkedHashMap<>();
    Map<String, String> ops = new java.util.LinkedHashMap<>();
    LayerProfile.readOrtProfile(json, 2, byKey, ops);
    String key = "in [3, 8, 8] w [4, 3, 3, 3] out [4, 8, 8]";
    assertEquals(List.of(key), List.copyOf(byKey.keySet()));
    assertEquals(0.05, byKey.get(key)[0], 1e-12, "(40 + 60) µs over 2 runs; the first run is skipped");
    assertEquals(1, byKey.get(key)[1], 1e-12);
    assertEquals("FusedConv", ops.get(key));
  }
}
