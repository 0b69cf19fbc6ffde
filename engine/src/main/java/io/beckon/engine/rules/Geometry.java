package io.beckon.engine.rules;

import java.util.List;

/** Plane geometry for validating polygons given as [lat, lon] points. */
final class Geometry {
  private Geometry() {}

  /**
   * The first two edges of a closed polygon that are not neighbours and still share a point, as
   * edge indexes {i, j} with i < j (edge i runs from point i to point i + 1); null when it does not
   * cross itself.
   */
  static int[] selfCrossing(List<double[]> points) {
    int n = points.size();
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        boolean adjacent = j == i + 1 || (i == 0 && j == n - 1);
        if (!adjacent
            && segmentsIntersect(
                points.get(i), points.get((i + 1) % n), points.get(j), points.get((j + 1) % n))) {
          return new int[] {i, j};
        }
      }
    }
    return null;
  }

  /** Whether closed segments ab and cd share a point. */
  static boolean segmentsIntersect(double[] a, double[] b, double[] c, double[] d) {
    double d1 = cross(c, d, a);
    double d2 = cross(c, d, b);
    double d3 = cross(a, b, c);
    double d4 = cross(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
      return true;
    }
    return (d1 == 0 && onSegment(c, d, a))
        || (d2 == 0 && onSegment(c, d, b))
        || (d3 == 0 && onSegment(a, b, c))
        || (d4 == 0 && onSegment(a, b, d));
  }

  private static double cross(double[] o, double[] p, double[] q) {
    return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
  }

  private static boolean onSegment(double[] p, double[] q, double[] r) {
    return Math.min(p[0], q[0]) <= r[0]
        && r[0] <= Math.max(p[0], q[0])
        && Math.min(p[1], q[1]) <= r[1]
        && r[1] <= Math.max(p[1], q[1]);
  }
}
