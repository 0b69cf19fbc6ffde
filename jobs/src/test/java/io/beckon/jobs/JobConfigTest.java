package io.beckon.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobConfigTest {
  @Test
  void defaultsAndOverrides() {
    JobConfig c = JobConfig.fromArgs("--disorder.bound", "30s", "--kafka.security.protocol", "SSL");
    assertEquals(Duration.ofSeconds(30), c.disorderBound());
    assertEquals(Duration.ofSeconds(60), c.idleTimerLag());
    assertEquals("events", c.topic("events"));
    assertEquals("SSL", c.kafkaProperties().getProperty("security.protocol"));
  }

  @Test
  void unknownKeysAndBadValuesAreErrors() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> JobConfig.fromArgs("--disorder-bound", "30s"));
    assertTrue(e.getMessage().startsWith("unknown setting 'disorder-bound'"), e.getMessage());
    var d =
        assertThrows(
            IllegalArgumentException.class, () -> JobConfig.fromArgs("--idle.timer.lag", "soon"));
    assertTrue(
        d.getMessage().startsWith("idle.timer.lag: 'soon' is not a duration"), d.getMessage());
  }

  @Test
  void profileRetentionIsOffByDefault() {
    assertEquals(Duration.ZERO, JobConfig.fromArgs().profileRetention());
    assertEquals(
        Duration.ofDays(90), JobConfig.fromArgs("--profile.retention", "90d").profileRetention());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobConfig.fromArgs("--profile.retention", "forever"));
    assertTrue(e.getMessage().startsWith("profile.retention: 'forever'"), e.getMessage());
  }
}
