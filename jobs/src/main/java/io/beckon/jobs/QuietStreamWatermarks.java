package io.beckon.jobs;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded-disorder watermarks that keep moving when the input goes quiet.
 *
 * <p>While events flow, the watermark is {@code maxEventTime - bound - 1ms}: an event up to {@code
 * bound} older than the newest is still on time. Once the source reader has read no event at all,
 * from any of its partitions, for {@code idleLag} of wall-clock time, event time is assumed to go
 * on with the wall clock: each partition's watermark becomes {@code maxEventTime + (quietFor -
 * idleLag)} (the newest event time of all the reader's partitions), so a trigger due at wall time D
 * fires by D + idleLag even if no event ever arrives again. A partition that never saw an event is
 * marked idle after {@code idleLag} so it does not hold the others back.
 *
 * <p>Why quiet is judged per reader, not per partition: under backpressure the reader keeps
 * reading, slowly, but a single partition can go unread for a while although it has data. Judged
 * per partition, that partition would wrongly advance and its backlog would arrive late. A reader
 * that reads nothing at all for {@code idleLag} is either truly quiet or fully stalled; after a
 * full stall longer than the lag, the oldest part of the backlog counts as late (it still updates
 * attributes, consent and tokens, and is written to {@code events-late}).
 *
 * <p>A partition that goes silent while other partitions of the reader flow must not hold event
 * time back: once it has had no event for {@code idleLag} on the source's input-activity clock, it
 * is marked idle (it neither holds back nor advances the others) until its next event. That clock
 * stands still while the source is backpressured or paused, so a partition that merely waits its
 * turn behind a backlog is not taken for a silent one.
 */
public final class QuietStreamWatermarks<T> implements WatermarkGenerator<T> {

  /** Wall clock, injectable for tests. */
  @FunctionalInterface
  public interface Clock extends Serializable {
    long millis();
  }

  /** Marks input elements that carry no event time (dead letters) so they are ignored. */
  public static final long NO_EVENT_TIME = Long.MIN_VALUE;

  private final long bound;
  private final long idleLag;
  private final Clock clock;
  private final long startedAt;
  private final ReaderActivity reader;
  private final Clock activity;
  private long maxEventTime = Long.MIN_VALUE;
  private long emitted = Long.MIN_VALUE;
  private long lastOwnEventAt;
  private boolean idle;

  /** When the source reader (all partitions of one subtask) last read an event. */
  public static final class ReaderActivity {
    private long lastEventAt;

    /**
     * The newest event time of all the reader's partitions: once the reader is quiet, every
     * partition moves on from it, so one that fell silent long before cannot hold time back.
     */
    private long maxEventTime = Long.MIN_VALUE;

    public ReaderActivity(long now) {
      this.lastEventAt = now;
    }
  }

  /**
   * @param clock the wall clock
   * @param activity the source's input-activity clock (paused while backpressured)
   */
  public QuietStreamWatermarks(
      Duration bound, Duration idleLag, Clock clock, Clock activity, ReaderActivity reader) {
    this.bound = bound.toMillis();
    this.idleLag = idleLag.toMillis();
    this.clock = clock;
    this.activity = activity;
    this.startedAt = clock.millis();
    this.reader = reader;
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    if (eventTimestamp == NO_EVENT_TIME) {
      return;
    }
    maxEventTime = Math.max(maxEventTime, eventTimestamp);
    reader.lastEventAt = clock.millis();
    reader.maxEventTime = Math.max(reader.maxEventTime, eventTimestamp);
    lastOwnEventAt = activity.millis();
    if (idle) {
      idle = false;
      output.markActive();
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long now = clock.millis();
    if (maxEventTime == Long.MIN_VALUE) {
      if (now - startedAt >= idleLag) {
        output.markIdle();
      }
      return;
    }
    long watermark = maxEventTime - bound - 1;
    long quietFor = now - reader.lastEventAt;
    if (quietFor > idleLag) {
      watermark = Math.max(watermark, reader.maxEventTime + (quietFor - idleLag));
    } else if (activity.millis() - lastOwnEventAt > idleLag) {
      if (!idle) {
        idle = true;
        output.markIdle();
      }
      return;
    }
    if (idle) {
      idle = false;
      output.markActive();
    }
    if (watermark > emitted) {
      emitted = watermark;
      output.emitWatermark(new Watermark(watermark));
    }
  }
}
