package io.beckon.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beckon bench --quick --json}: the whole bench on a tiny data set (real broker, registry,
 * MiniCluster), then every figure of the JSON report is present and sane. No timing is asserted.
 */
class BenchCommandIT {
  @TempDir Path dir;

  @Test
  void quickRunWritesEveryFigure() throws Exception {
    Path json = dir.resolve("bench.json");
    int status =
        BenchCommand.run(
            new String[] {
              "--quick",
              "--json",
              json.toString(),
              "--rules",
              Path.of("..", "rules").toString(),
              "--workdir",
              dir.resolve("work").toString()
            });
    assertEquals(0, status);
    JsonNode r = new ObjectMapper().readTree(Files.readString(json));

    assertTrue(r.path("users").asLong() > 0, "users");
    long events = r.path("events").asLong();
    assertTrue(events > 0, "events");
    for (String job : List.of("passthrough", "cep", "beckon", "beckon_cart")) {
      JsonNode j = r.path("jobs").path(job);
      assertTrue(j.path("events_per_s").asDouble() > 0, job + " events_per_s");
      assertTrue(j.path("events_per_s_running").asDouble() > 0, job + " events_per_s_running");
    }
    assertEquals(events, r.path("jobs").path("passthrough").path("outputs").asLong());
    assertTrue(r.path("jobs").path("beckon").path("outputs").asLong() > 0, "beckon commands");
    assertTrue(r.path("ratio_vs_passthrough").asDouble() > 0, "ratio_vs_passthrough");
    assertTrue(r.path("ratio_cart_vs_cep").asDouble() > 0, "ratio_cart_vs_cep");

    for (String latency : List.of("latency_ms", "quiet_latency_ms", "eo_visibility_ms")) {
      JsonNode l = r.path(latency);
      assertTrue(l.path("samples").asInt() > 0, latency + " samples");
      assertEquals(0, l.path("missing").asInt(), latency + " missing");
      assertTrue(l.path("p50").asLong() >= 0, latency + " p50");
      assertTrue(l.path("p50").asLong() <= l.path("p99").asLong(), latency + " p50 <= p99");
    }
    assertTrue(r.path("latency_ms").path("p50").asLong() > 0, "latency p50");
    assertTrue(r.path("quiet_latency_ms").path("p50").asLong() > 0, "quiet latency p50");

    JsonNode checkpoint = r.path("checkpoint");
    assertTrue(checkpoint.path("count").asLong() >= 1, "checkpoints");
    assertTrue(checkpoint.path("duration_ms_max").asLong() > 0, "checkpoint duration");
    assertTrue(checkpoint.path("state_bytes_max").asLong() > 0, "checkpoint size");

    assertTrue(r.path("state_bytes_per_user").asLong() > 0, "state_bytes_per_user");
    assertFalse(r.path("state_method").asText().isBlank(), "state_method");
    assertTrue(r.path("cep_matches_beckon_cart").asBoolean(), r.path("cep_difference").asText());
    assertTrue(r.path("engine_only_events_per_s").asLong() > 0, "engine_only_events_per_s");

    JsonNode machine = r.path("machine");
    assertTrue(machine.path("cores").asInt() > 0, "cores");
    assertTrue(machine.path("max_heap_bytes").asLong() > 0, "max heap");
    for (String text : List.of("jdk", "os", "date")) {
      assertFalse(machine.path(text).asText().isBlank(), text);
    }
  }
}
