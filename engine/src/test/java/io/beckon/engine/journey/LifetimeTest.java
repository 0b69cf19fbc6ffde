package io.beckon.engine.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.RuleParser;
import io.beckon.engine.time.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The longest lifetime of a journey, worked out by hand on the example of contract section 7. */
class LifetimeTest {
  private static Journey example() throws Exception {
    String yaml =
        Files.readString(Path.of("src/test/resources/grammar/rules/valid/journey-onboarding.yaml"));
    return RuleParser.read("onboarding.yaml", yaml).journey();
  }

  /**
   * The longest path: welcome (send, 0) -> next-day (wait 1d) -> morning (wait_until 09:30 on
   * mon..fri: reached on a Friday just after 09:30 it waits until Monday, 3d, plus 1h for a DST
   * change) -> lessons (send, 0) -> engaged (wait_for: its timeout, 2d; the arm to done can only
   * end it sooner) -> route (branch, 0) -> cart-nudge or stories (send, 0) -> done (wait 0s). In
   * all 1d + 3d 1h + 2d = 6d 1h.
   */
  @Test
  void theContractsExampleLivesAtMostSixDaysAndAnHour() throws Exception {
    Lifetime lifetime = Lifetime.of(example(), null);
    assertEquals(6 * Durations.DAY + Durations.HOUR, lifetime.millis());
    assertEquals(
        "journey onboarding-first-days: at most 6d 1h from entry to end (9 steps)",
        lifetime.toString());
  }

  /**
   * Quiet hours 22:00 to 08:00 (10 h) can hold each send on the path until their end: the longest
   * path has three sends (welcome, lessons, then cart-nudge or stories), so 6d 1h + 30h = 7d 7h.
   */
  @Test
  void quietHoursCanHoldEverySendOnThePath() throws Exception {
    Policies.QuietHours quiet = new Policies.QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0));
    assertEquals(7 * Durations.DAY + 7 * Durations.HOUR, Lifetime.of(example(), quiet).millis());
  }

  @Test
  void aJourneyThatIgnoresQuietHoursIsNotHeld() throws Exception {
    String yaml =
        Files.readString(Path.of("src/test/resources/grammar/rules/valid/journey-onboarding.yaml"))
            .replace("priority: 20", "priority: 20\npolicies: {quiet_hours: ignore}");
    Journey journey = RuleParser.read("j.yaml", yaml).journey();
    Policies.QuietHours quiet = new Policies.QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0));
    assertEquals(6 * Durations.DAY + Durations.HOUR, Lifetime.of(journey, quiet).millis());
  }

  @Test
  void theLongestGapBetweenAllowedDays() {
    assertEquals(1, Lifetime.longestGapDays(EnumSet.allOf(DayOfWeek.class)));
    assertEquals(3, Lifetime.longestGapDays(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY)));
    assertEquals(7, Lifetime.longestGapDays(Set.of(DayOfWeek.SUNDAY)));
    // Monday -> Thursday is 3 days, Thursday -> next Monday 4.
    assertEquals(4, Lifetime.longestGapDays(Set.of(DayOfWeek.MONDAY, DayOfWeek.THURSDAY)));
  }

  @Test
  void durationsPrintInDaysHoursMinutesAndSeconds() {
    assertEquals("0s", Lifetime.format(0));
    assertEquals("6d 1h", Lifetime.format(6 * Durations.DAY + Durations.HOUR));
    assertEquals("2h 30m", Lifetime.format(150 * Durations.MINUTE));
    assertEquals("1d 1s", Lifetime.format(Durations.DAY + Durations.SECOND));
  }
}
