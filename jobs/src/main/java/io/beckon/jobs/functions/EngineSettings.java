package io.beckon.jobs.functions;

import io.beckon.engine.event.UserEvent;
import java.io.Serializable;
import java.time.Duration;

/**
 * Settings of the user engine operator that come from the job configuration.
 *
 * @param idleTimerLag wall-clock silence after which event time moves on by itself; after a restore
 *     the operator applies it too (see {@link UserEngineOperator})
 * @param profileRetention event time without an event after which an idle user with nothing pending
 *     is dropped ({@link io.beckon.engine.core.Expiry}); zero for never
 * @param eventsTopic the events topic, named in the dead letters of events the engine finds
 *     malformed (over a per-user limit), so they can be re-produced where they came from
 * @param cachedUsers how many users' records each operator instance keeps in memory between
 *     checkpoints ({@link UserRecordCache}); 0 writes every record back after each watermark or
 *     late event
 * @param faults a test seam; production passes {@link FaultInjector#NONE}
 * @param inputEnd replay: the last input event's time, null live. When the input ends, a yearly
 *     date occurrence that fires after it arms no next year (contract section 8); without it an
 *     instance uses the latest event time it applied itself
 */
public record EngineSettings(
    Duration idleTimerLag,
    Duration profileRetention,
    String eventsTopic,
    int cachedUsers,
    FaultInjector faults,
    Long inputEnd)
    implements Serializable {

  public EngineSettings(
      Duration idleTimerLag,
      Duration profileRetention,
      String eventsTopic,
      int cachedUsers,
      FaultInjector faults) {
    this(idleTimerLag, profileRetention, eventsTopic, cachedUsers, faults, null);
  }

  /** Users cached per operator instance unless configured: a few hundred MB of heap at most. */
  public static final int DEFAULT_CACHED_USERS = 50_000;

  public static final EngineSettings DEFAULTS =
      new EngineSettings(
          Duration.ofSeconds(10),
          Duration.ZERO,
          "events",
          DEFAULT_CACHED_USERS,
          FaultInjector.NONE);

  public EngineSettings withFaults(FaultInjector injector) {
    return new EngineSettings(
        idleTimerLag, profileRetention, eventsTopic, cachedUsers, injector, inputEnd);
  }

  public EngineSettings withProfileRetention(Duration retention) {
    return new EngineSettings(idleTimerLag, retention, eventsTopic, cachedUsers, faults, inputEnd);
  }

  public EngineSettings withCachedUsers(int users) {
    return new EngineSettings(idleTimerLag, profileRetention, eventsTopic, users, faults, inputEnd);
  }

  public EngineSettings withInputEnd(long lastEventTime) {
    return new EngineSettings(
        idleTimerLag, profileRetention, eventsTopic, cachedUsers, faults, lastEventTime);
  }

  /**
   * Lets a test make the engine throw while it handles a chosen input, to prove that a bug
   * quarantines that input only. A test double by design: no real input is known to make the engine
   * throw, and none should be.
   */
  public interface FaultInjector extends Serializable {
    FaultInjector NONE = new FaultInjector() {};

    /** Called before an event is applied. */
    default void beforeEvent(UserEvent event) {}

    /** Called after an event was applied, before its changes are written. */
    default void afterEvent(UserEvent event) {}

    /** Called before the fires due at {@code time} are taken for {@code userId}. */
    default void beforeFires(String userId, long time) {}
  }
}
