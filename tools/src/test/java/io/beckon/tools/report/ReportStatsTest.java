package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReportStatsTest {
  private static final double THREE_DECIMALS = 0.0005;

  /**
   * Worked by hand (z = 1.96). Variant: x_v = 30 conversions of n_v = 200 sends, rate 0.15.
   * Holdout: x_h = 10 of n_h = 100 holdout fires, rate 0.10.
   *
   * <pre>
   * RR        = 0.15 / 0.10 = 1.5             -> lift = RR - 1 = 0.500 (+50%)
   * ln RR     = ln 1.5 = 0.405465
   * SE^2      = 1/30 - 1/200 + 1/10 - 1/100
   *           = 0.033333 - 0.005 + 0.1 - 0.01 = 0.118333
   * SE        = sqrt(0.118333) = 0.343996
   * 1.96 * SE = 0.674233
   * low       = exp(0.405465 - 0.674233) - 1 = exp(-0.268768) - 1 = 0.764321 - 1 = -0.236
   * high      = exp(0.405465 + 0.674233) - 1 = exp( 1.079698) - 1 = 2.943790 - 1 = +1.944
   * </pre>
   *
   * (exp(-0.268768) = 1 / exp(0.268768) = 1 / 1.308351 = 0.764321; exp(1.079698) = e *
   * exp(0.079698) = 2.718282 * 1.082960 = 2.943790.)
   */
  @Test
  void liftByTheLogRelativeRiskMethod() {
    ReportStats.Lift lift = ReportStats.lift(30, 200, 10, 100);
    assertEquals(0.500, lift.estimate(), THREE_DECIMALS);
    assertEquals(-0.236, lift.low(), THREE_DECIMALS);
    assertEquals(1.944, lift.high(), THREE_DECIMALS);
  }

  /**
   * A variant that does worse: x_v = 5 of n_v = 100 (0.05) against x_h = 10 of n_h = 100 (0.10).
   *
   * <pre>
   * RR = 0.5 -> lift = -0.500; ln RR = -0.693147
   * SE^2 = 1/5 - 1/100 + 1/10 - 1/100 = 0.2 - 0.01 + 0.1 - 0.01 = 0.28; SE = 0.529150
   * 1.96 * SE = 1.037134
   * low  = exp(-0.693147 - 1.037134) - 1 = exp(-1.730281) - 1 = 0.177235 - 1 = -0.823
   * high = exp(-0.693147 + 1.037134) - 1 = exp( 0.343987) - 1 = 1.410560 - 1 = +0.411
   * </pre>
   */
  @Test
  void aNegativeLiftHasAnIntervalAroundIt() {
    ReportStats.Lift lift = ReportStats.lift(5, 100, 10, 100);
    assertEquals(-0.500, lift.estimate(), THREE_DECIMALS);
    assertEquals(-0.823, lift.low(), THREE_DECIMALS);
    assertEquals(0.411, lift.high(), THREE_DECIMALS);
  }

  @Test
  void liftIsNotAvailableWhenACountIsZero() {
    assertNull(ReportStats.lift(0, 200, 10, 100), "no conversion in the variant");
    assertNull(ReportStats.lift(30, 200, 0, 100), "no conversion in the holdout");
    assertNull(ReportStats.lift(0, 0, 10, 100), "no send");
    assertNull(ReportStats.lift(30, 200, 0, 0), "no holdout");
  }

  /**
   * Wilson's interval for x = 30 of n = 200 (p = 0.15), z^2 = 3.8416:
   *
   * <pre>
   * denominator = 1 + 3.8416/200 = 1.019208
   * centre      = (0.15 + 3.8416/400) / 1.019208 = 0.159604 / 1.019208 = 0.156596
   * half        = 1.96 * sqrt(0.15*0.85/200 + 3.8416/160000) / 1.019208
   *             = 1.96 * sqrt(0.0006375 + 0.00002401) / 1.019208
   *             = 1.96 * 0.025720 / 1.019208 = 0.049461
   * interval    = [0.107, 0.206]
   * </pre>
   */
  @Test
  void rateIntervalIsWilsons() {
    ReportStats.Interval ci = ReportStats.wilson(30, 200);
    assertEquals(0.107, ci.low(), THREE_DECIMALS);
    assertEquals(0.206, ci.high(), THREE_DECIMALS);
    assertEquals(0.15, ReportStats.rate(30, 200), 1e-12);
  }

  /**
   * At x = 0 of n = 10 the interval still has width: centre = (0 + 3.8416/20) / (1 + 0.38416) =
   * 0.19208 / 1.38416 = 0.138770 and half = 1.96 * sqrt(0 + 3.8416/400) / 1.38416 = 1.96 * 0.098 /
   * 1.38416 = 0.138770, so [0, 0.278].
   */
  @Test
  void rateIntervalAtZeroConversions() {
    ReportStats.Interval ci = ReportStats.wilson(0, 10);
    assertEquals(0.0, ci.low(), THREE_DECIMALS);
    assertEquals(0.278, ci.high(), THREE_DECIMALS);
    assertNull(ReportStats.wilson(0, 0));
    assertNull(ReportStats.rate(0, 0));
  }
}
