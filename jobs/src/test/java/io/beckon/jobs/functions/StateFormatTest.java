package io.beckon.jobs.functions;

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

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && !(t instanceof IllegalStateException)) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
