package io.beckon.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/** The watermark generator on a fake wall clock. */
class QuietStreamWatermarksTest {
  long wallClock = 1_000_000;

  /** The source's input-activity clock: it stands still while the source is backpressured. */
  long activityClock = 0;

  final PartitionOutput output = new PartitionOutput();

  final QuietStreamWatermarks.ReaderActivity reader =
      new QuietStreamWatermarks.ReaderActivity(wallClock);
  final QuietStreamWatermarks<String> generator = partition();
  final QuietStreamWatermarks<String> otherPartition = partition();

  QuietStreamWatermarks<String> partition() {
    return new QuietStreamWatermarks<>(
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        () -> wallClock,
        () -> activityClock,
        reader);
  }

  @Test
  void whileEventsFlowTheWatermarkTrailsTheNewestEventByTheBound() {
    generator.onEvent("a", 500_000, output);
    generator.onEvent("b", 490_000, output);
    generator.onPeriodicEmit(output);
    assertEquals(500_000 - 10_000 - 1, output.watermark);
  }

  @Test
  void aQuietInputAdvancesWithTheWallClockAfterTheLag() {
    generator.onEvent("a", 500_000, output);
    wallClock += 60_000;
    generator.onPeriodicEmit(output);
    assertEquals(489_999, output.watermark, "not yet: quiet for exactly the lag");
    wallClock += 30_000;
    generator.onPeriodicEmit(output);
    assertEquals(
        500_000 + 30_000,
        output.watermark,
        "quiet 90 s: event time has moved 30 s past the newest event");
    generator.onEvent("late-ish", 495_000, output);
    generator.onPeriodicEmit(output);
    assertEquals(530_000, output.watermark, "watermarks never go back");
  }

  @Test
  void aPartitionLeftUnreadWhileItsReaderIsBusyDoesNotAdvance() {
    generator.onEvent("a", 500_000, output);
    for (int i = 1; i <= 10; i++) {
      wallClock += 30_000;
      otherPartition.onEvent("b", 500_000 + i, output);
      generator.onPeriodicEmit(output);
    }
    assertEquals(489_999, output.watermark, "the reader kept reading: backpressure, not quiet");
  }

  @Test
  void aSplitThatNeverSawAnEventGoesIdleAfterTheLag() {
    generator.onPeriodicEmit(output);
    assertFalse(output.idle);
    wallClock += 60_000;
    generator.onPeriodicEmit(output);
    assertTrue(output.idle);
  }

  @Test
  void deadLettersCarryNoEventTime() {
    generator.onEvent("dead", QuietStreamWatermarks.NO_EVENT_TIME, output);
    generator.onPeriodicEmit(output);
    assertEquals(null, output.watermark);
  }

  private final class PartitionOutput implements WatermarkOutput {
    Long watermark;
    boolean idle;

    @Override
    public void emitWatermark(Watermark mark) {
      watermark = mark.getTimestamp();
      idle = false;
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }
  }

  @Test
  void aPartitionSilentWhileAnotherFlowsStopsHoldingEventTimeBack() {
    PartitionOutput silent = new PartitionOutput();
    PartitionOutput flowing = new PartitionOutput();
    generator.onEvent("s", 400_000, silent);
    for (int second = 1; second <= 61; second++) {
      wallClock += 1_000;
      activityClock += 1_000;
      otherPartition.onEvent("f", 400_000 + second * 1_000L, flowing);
      generator.onPeriodicEmit(silent);
      otherPartition.onPeriodicEmit(flowing);
    }
    assertTrue(silent.idle, "silent for more than the lag while the reader reads");
    assertFalse(flowing.idle);
    generator.onEvent("s2", 470_000, silent);
    assertFalse(silent.idle, "its next event makes it count again");
  }

  @Test
  void aPartitionWaitingBehindBackpressureIsNotTakenForSilent() {
    PartitionOutput waiting = new PartitionOutput();
    PartitionOutput flowing = new PartitionOutput();
    generator.onEvent("s", 400_000, waiting);
    for (int second = 1; second <= 120; second++) {
      wallClock += 1_000; // the activity clock stands still: the source is backpressured
      otherPartition.onEvent("f", 400_000 + second * 1_000L, flowing);
      generator.onPeriodicEmit(waiting);
    }
    assertFalse(waiting.idle);
    assertEquals(400_000 - 10_000 - 1, waiting.watermark);
  }

  @Test
  void onceTheReaderIsQuietALongSilentPartitionMovesOnFromTheNewestEventOfTheReader() {
    PartitionOutput silent = new PartitionOutput();
    PartitionOutput flowing = new PartitionOutput();
    generator.onEvent("s", 100_000, silent);
    // The other partition flows for six more hours of event time, then everything goes quiet.
    otherPartition.onEvent("f", 100_000 + 6 * 3_600_000L, flowing);
    wallClock += 90_000;
    activityClock += 90_000;
    generator.onPeriodicEmit(silent);
    otherPartition.onPeriodicEmit(flowing);
    assertFalse(silent.idle, "a quiet reader moves every partition on");
    assertEquals(100_000 + 6 * 3_600_000L + 30_000, silent.watermark);
    assertEquals(silent.watermark, flowing.watermark);
  }
}
