package io.beckon.engine.journey;

import io.beckon.engine.rules.Policies;
import io.beckon.engine.time.Durations;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.Set;

/**
 * The longest a journey's instance can live, from entry to end: the longest path through its step
 * graph, which is acyclic because every target names a later step. A {@code wait} counts its
 * duration, a {@code wait_for} its timeout (an arm can only end it sooner), a {@code wait_until}
 * the longest gap between allowed days plus an hour for a DST change, {@code send} and {@code
 * branch} nothing; with quiet hours (and a journey that does not ignore them), a send can be held
 * for up to the quiet window.
 */
public record Lifetime(String journeyId, int steps, long millis) {
  /** The longer day of a DST change. */
  static final long DST_SHIFT = Durations.HOUR;

  /** {@code quiet}: the quiet hours of {@code policies.yaml}, or null (none, or not known). */
  public static Lifetime of(Journey journey, Policies.QuietHours quiet) {
    long hold = quiet == null || journey.policies().ignoreQuietHours() ? 0 : window(quiet);
    int n = journey.steps().size();
    // longest[i]: the longest time from reaching step i to the end; END is n.
    long[] longest = new long[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      long after = 0;
      for (String next : journey.successors(i)) {
        int to = next.equals(Step.END) ? n : journey.indexOf(next);
        after = Math.max(after, longest[to]);
      }
      longest[i] = own(journey.steps().get(i), hold) + after;
    }
    return new Lifetime(journey.id(), n, longest[0]);
  }

  /** The longest time a step itself can take. */
  static long own(Step step, long hold) {
    if (step instanceof Step.Wait wait) {
      return wait.duration();
    }
    if (step instanceof Step.WaitUntil until) {
      return longestGapDays(until.days()) * Durations.DAY + DST_SHIFT;
    }
    if (step instanceof Step.WaitFor waitFor) {
      return waitFor.timeoutAfter();
    }
    return step instanceof Step.Send ? hold : 0; // a branch completes at once
  }

  /**
   * The most days from an allowed day to the next allowed day (1 when every day is allowed, 7 for a
   * single day): reached just after the local time on an allowed day, the step waits that long.
   */
  static int longestGapDays(Set<DayOfWeek> days) {
    int longest = 0;
    for (DayOfWeek day : days) {
      int gap = 1;
      while (!days.contains(day.plus(gap))) {
        gap++;
      }
      longest = Math.max(longest, gap);
    }
    return longest;
  }

  /** The length of the quiet window, crossing midnight if need be. */
  static long window(Policies.QuietHours quiet) {
    long millis = Duration.between(quiet.start(), quiet.end()).toMillis();
    return millis < 0 ? millis + Durations.DAY : millis;
  }

  /** How {@code rules validate} prints it. */
  @Override
  public String toString() {
    return "journey "
        + journeyId
        + ": at most "
        + format(millis)
        + " from entry to end ("
        + steps
        + (steps == 1 ? " step)" : " steps)");
  }

  /** {@code 6d 1h}, {@code 2h 30m}, {@code 0s}: days, hours, minutes and seconds that are not 0. */
  static String format(long millis) {
    StringBuilder out = new StringBuilder();
    long[] units = {Durations.DAY, Durations.HOUR, Durations.MINUTE, Durations.SECOND};
    String[] names = {"d", "h", "m", "s"};
    long rest = millis;
    for (int i = 0; i < units.length; i++) {
      if (rest >= units[i]) {
        out.append(out.isEmpty() ? "" : " ").append(rest / units[i]).append(names[i]);
        rest %= units[i];
      }
    }
    return out.isEmpty() ? "0s" : out.toString();
  }
}
