package io.beckon.tools.report;

/**
 * The report's statistics: conversion rates with a Wilson score interval, and the lift of a variant
 * over the holdout with a confidence interval by the log relative-risk (Katz) method. All intervals
 * are 95% (z = 1.96), two-sided, normal approximations; they are {@code null} ("n/a") where a count
 * they divide by is 0.
 */
public final class ReportStats {
  /** The standard normal quantile of 97.5%: a two-sided 95% interval. */
  public static final double Z95 = 1.96;

  /** The method, in words, for a report's footnote. */
  public static final String METHOD =
      "Conversion rate = conversions / sends (holdout: conversions / holdout fires); its 95%"
          + " interval is Wilson's score interval. Lift = rate(variant) / rate(holdout) - 1, with"
          + " a 95% interval by the log relative-risk (Katz) method:"
          + " exp(ln RR \u00b1 1.96 \u00d7 sqrt(1/x_v - 1/n_v + 1/x_h - 1/n_h)) - 1, where x is"
          + " conversions and n is sends (variant) or holdout fires. n/a where a count is 0 or the"
          + " rule has no holdout.";

  private ReportStats() {}

  /** A closed interval. */
  public record Interval(double low, double high) {}

  /** A relative lift (0.5 = +50%) and its 95% interval. */
  public record Lift(double estimate, double low, double high) {}

  /** {@code x / n}, or null when {@code n} is 0. */
  public static Double rate(long x, long n) {
    return n == 0 ? null : (double) x / n;
  }

  /**
   * Wilson's 95% score interval of the rate {@code x / n}, or null when {@code n} is 0. Unlike the
   * plain normal interval it stays within [0, 1] and is not empty at {@code x} = 0.
   */
  public static Interval wilson(long x, long n) {
    if (n == 0) {
      return null;
    }
    double p = (double) x / n;
    double z2 = Z95 * Z95;
    double denominator = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denominator;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
    return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * The lift of a variant ({@code xv} conversions of {@code nv}) over the holdout ({@code xh} of
   * {@code nh}): RR - 1 with RR = (xv/nv) / (xh/nh), and the interval exp(ln RR ± 1.96·SE) - 1 with
   * SE = sqrt(1/xv - 1/nv + 1/xh - 1/nh) (Katz et al., 1978). Null when any count is 0: the log
   * relative risk or its standard error is then undefined.
   */
  public static Lift lift(long xv, long nv, long xh, long nh) {
    if (xv <= 0 || nv <= 0 || xh <= 0 || nh <= 0) {
      return null;
    }
    double rr = ((double) xv / nv) / ((double) xh / nh);
    double se = Math.sqrt(1.0 / xv - 1.0 / nv + 1.0 / xh - 1.0 / nh);
    double ln = Math.log(rr);
    return new Lift(rr - 1, Math.exp(ln - Z95 * se) - 1, Math.exp(ln + Z95 * se) - 1);
  }
}
