package io.beckon.jobs.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.engine.event.UserEvent;
import io.beckon.jobs.FlinkTestSupport;
import io.beckon.jobs.functions.EngineSettings;
import io.beckon.schema.Event;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bug that makes the engine throw for one user's inputs quarantines those inputs only: every
 * other user's commands and suppressions are exactly the fault-free ones, and the job never
 * restarts. The job runs with restarts disabled, so a single task failure would fail the run: it
 * finishing is the proof that the restart count is 0.
 */
class ContainmentTest {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = FlinkTestSupport.miniCluster();

  static final String VICTIM = "u-3";

  /** Throws for every event and every fire instant of one user. */
  static final class BrokenForOneUser implements EngineSettings.FaultInjector {
    @Override
    public void beforeEvent(UserEvent event) {
      if (event.userId().equals(VICTIM)) {
        throw new IllegalStateException("injected failure for " + VICTIM);
      }
    }

    @Override
    public void beforeFires(String userId, long time) {
      if (userId.equals(VICTIM)) {
        throw new IllegalStateException("injected fire failure for " + VICTIM);
      }
    }
  }

  private static StreamExecutionEnvironment noRestarts() {
    StreamExecutionEnvironment env = FlinkTestSupport.environment();
    org.apache.flink.configuration.Configuration conf =
        new org.apache.flink.configuration.Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    env.configure(conf);
    return env;
  }

  @Test
  void oneUsersFailingInputsAreQuarantinedAndEveryoneElseGetsTheFaultFreeOutput() throws Exception {
    // Arrival within the disorder bound: nothing is late, so the outputs are the same on every run.
    List<Event> events =
        OrderIndependenceTest.arrivalOrder(
            OrderIndependenceTest.randomEvents(new Random(7), 8, 300), new Random(1));
    Duration bound = OrderIndependenceTest.BOUND;
    Replay.Result clean = Replay.run(noRestarts(), events, OrderIndependenceTest.RULES, bound);
    Replay.Result faulty =
        Replay.run(
            noRestarts(),
            events,
            OrderIndependenceTest.RULES,
            bound,
            EngineSettings.DEFAULTS.withFaults(new BrokenForOneUser()));

    assertEquals(0, clean.lateEvents());
    assertEquals(0, faulty.lateEvents());
    long victimEvents = events.stream().filter(e -> e.getUserId().equals(VICTIM)).count();
    assertTrue(victimEvents > 10, "the victim is an active user");
    assertTrue(clean.quarantined().isEmpty());
    assertTrue(
        faulty.quarantined().size() >= victimEvents,
        "every event of the victim, and each of its timers, is quarantined");
    for (String reason : faulty.quarantined()) {
      assertTrue(
          reason.equals("internal error: java.lang.IllegalStateException: injected failure for u-3")
              || reason.equals(
                  "internal error: java.lang.IllegalStateException: injected fire failure for u-3"),
          reason);
    }
    assertFalse(withoutVictim(clean.sendCommands()).isEmpty());
    assertEquals(withoutVictim(clean.sendCommands()), withoutVictim(faulty.sendCommands()));
    assertEquals(withoutVictim(clean.suppressions()), withoutVictim(faulty.suppressions()));
    assertTrue(
        faulty.sendCommands().stream().noneMatch(line -> line.contains("\"user_id\":\"u-3\"")));
  }

  private static List<String> withoutVictim(List<String> lines) {
    return lines.stream().filter(line -> !line.contains("\"user_id\":\"u-3\"")).toList();
  }
}
