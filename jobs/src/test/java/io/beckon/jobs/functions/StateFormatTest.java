package io.beckon.jobs.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.internal.RuleUpdate;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint of the first state layout (six keyed parts per user and a keyed event buffer) is
 * refused with a message that says why, never read as the current one. The snapshot file was
 * written by the user-engine operator of that layout (RocksDB, one user with a cart reminder
 * pending and one event applied), with Flink's {@link OperatorSnapshotUtil}.
 */
class StateFormatTest {
  @Test
  void aFormatOneSnapshotIsRefusedWithTheReason() throws Exception {
    var snapshot =
        OperatorSnapshotUtil.readStateHandle(
            getClass().getResource("/savepoints/user-engine-format-1.snapshot").getPath());
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<String, Event, RuleUpdate, SendCommand>(
            new UserEngineOperator(Map.of()), Event::getUserId, null, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    try {
      Exception refused = assertThrows(Exception.class, () -> harness.initializeState(snapshot));
      String message = rootMessage(refused);
      assertTrue(message.contains("holds user-engine state format 1"), message);
      assertTrue(message.contains("this job reads format 2 only"), message);
    } finally {
      harness.close();
    }
  }

  /**
   * State format 2 grew fields with defaults (cap history and open conversion windows in the
   * trigger state): a snapshot written before them is read by Avro's schema resolution, not refused
   * and not misread. The file was written by the operator of commit 851de24 (RocksDB, the rule
   * {@code cart} with a 2 h delay in broadcast state, one user with 2 units in the cart and the
   * reminder pending at 12:00, watermark 10:30).
   */
  @Test
  void aFormatTwoSnapshotFromBeforeCapsAndConversionsRestoresAndFires() throws Exception {
    var snapshot =
        OperatorSnapshotUtil.readStateHandle(
            getClass()
                .getResource("/savepoints/user-engine-format-2-before-caps.snapshot")
                .getPath());
    var harness =
        new KeyedTwoInputStreamOperatorTestHarness<String, Event, RuleUpdate, SendCommand>(
            new UserEngineOperator(Map.of()), Event::getUserId, null, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    try {
      harness.initializeState(snapshot);
      harness.open();
      harness.processWatermark1(
          new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
      var sent = harness.extractOutputValues();
      assertEquals(1, sent.size());
      assertEquals("u1", sent.get(0).getUserId());
      assertEquals("2026-01-05T12:00:00Z", sent.get(0).getFireTime().toString());
      assertEquals("2 items", sent.get(0).getBody());
    } finally {
      harness.close();
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && !(t instanceof IllegalStateException)) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
