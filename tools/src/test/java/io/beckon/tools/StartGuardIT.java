package io.beckon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.jobs.StartGuard;
import io.beckon.tools.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The start check against a real broker: committed offsets of a group, per topic. */
class StartGuardIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(Files.createTempDirectory("start-guard-it-"));
    kafka.createTopic("events", 2);
    kafka.createTopic("other", 1);
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aGroupThatCommittedOnEventsIsRefusedWithoutState() throws Exception {
    assertEquals(
        Map.of(),
        StartGuard.committedOffsets(
            kafka.bootstrapServers(), "fresh-group", "events", new Properties()));

    try (var admin = kafka.admin()) {
      admin
          .alterConsumerGroupOffsets(
              "old-group",
              Map.of(
                  new TopicPartition("events", 1), new OffsetAndMetadata(17),
                  new TopicPartition("other", 0), new OffsetAndMetadata(3)))
          .all()
          .get();
    }
    Map<Integer, Long> committed =
        StartGuard.committedOffsets(
            kafka.bootstrapServers(), "old-group", "events", new Properties());
    assertEquals(Map.of(1, 17L), committed);
    var e =
        assertThrows(
            IllegalStateException.class,
            () -> StartGuard.checkState(Optional.empty(), false, "old-group", "events", committed));
    assertTrue(e.getMessage().contains("old-group"), e.getMessage());
    // Offsets on another topic only do not count.
    assertEquals(
        Map.of(),
        StartGuard.committedOffsets(
            kafka.bootstrapServers(), "old-group", "events-v2", new Properties()));
  }
}
