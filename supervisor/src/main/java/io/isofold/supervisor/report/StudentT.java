package io.isofold.supervisor.report;

/**
 * Student's t distribution: CDF, two-sided tail probability and quantile, for any positive (real) degrees of
 * freedom. Written here because the project carries no statistics library; the CDF goes through the
 * regularized incomplete beta function, evaluated by its continued fraction with the modified Lentz method
 * (Numerical Recipes, 3rd ed., 6.4).
 */
public final class StudentT {
    private static final double EPS = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 500;

    private StudentT() {}

    /** P(T <= t) for T with {@code df} degrees of freedom. */
    public static double cdf(double t, double df) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        double tail = 0.5 * tailBeta(t, df);
        return t >= 0 ? 1 - tail : tail;
    }

    /** P(|T| >= |t|): the two-sided p-value of a t statistic. Computed directly so tiny p keep their digits. */
    public static double twoSidedP(double t, double df) {
        checkDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return Math.min(1, tailBeta(t, df));
    }

    /**
     * The 0.975 quantile: the factor of every 95% interval. Remembered per df, since every metric of
     * every model asks for the same few and each is a search (thousands of metrics made it most of a
     * report's time).
     */
    public static double quantile975(int df) {
        return QUANTILES_975.computeIfAbsent(df, d -> quantile(0.975, d));
    }

    private static final java.util.concurrent.ConcurrentMap<Integer, Double> QUANTILES_975 =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The t with P(T <= t) = p, for 0 < p < 1. */
    public static double quantile(double p, double df) {
        checkDf(df);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        if (p == 0.5) {
            return 0;
        }
        if (p < 0.5) {
            return -quantile(1 - p, df);
        }
        // the tail 1 - p is searched instead of p so that p close to 1 keeps its precision
        double tail = 2 * (1 - p);
        double hi = 1;
        while (twoSidedP(hi, df) > tail) {
            hi *= 2;
            if (hi > 1e300) {
                return Double.POSITIVE_INFINITY;
            }
        }
        double lo = 0;
        // twoSidedP falls monotonically in t, so bisection cannot miss; 200 halvings exhaust double precision
        for (int i = 0; i < 200 && hi - lo > 1e-14 * Math.max(1, hi); i++) {
            double mid = 0.5 * (lo + hi);
            if (twoSidedP(mid, df) > tail) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** I_x(df/2, 1/2) with x = df / (df + t^2), which equals P(|T| >= |t|). */
    private static double tailBeta(double t, double df) {
        double x = df / (df + t * t);
        return regularizedIncompleteBeta(x, df / 2, 0.5);
    }

    /** I_x(a, b), the regularized incomplete beta function. */
    static double regularizedIncompleteBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        double front = Math.exp(lnFront);
        // the continued fraction converges fast only for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
        if (x < (a + 1) / (a + b + 2)) {
            return front * continuedFraction(x, a, b) / a;
        }
        return 1 - front * continuedFraction(1 - x, b, a) / b;
    }

    /** Lentz's guard: a denominator at zero is nudged to a tiny value instead of dividing by it. */
    private static double nonZero(double v) {
        return Math.abs(v) < TINY ? TINY : v;
    }

    /** The continued fraction of I_x(a, b) by the modified Lentz method. */
    private static double continuedFraction(double x, double a, double b) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 / nonZero(1 - qab * x / qap);
        double h = d;
        for (int m = 1; m <= MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            // the even step, then the odd step of the fraction
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 / nonZero(1 + aa * d);
            c = nonZero(1 + aa / c);
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 / nonZero(1 + aa * d);
            c = nonZero(1 + aa / c);
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) {
                return h;
            }
        }
        return h; // not converged within MAX_ITERATIONS: only for extreme a, b far beyond any fold count
    }

    private static final double[] LANCZOS = {
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};

    /** ln Gamma(x) for x > 0, Lanczos approximation (g = 7, n = 9), about 15 significant digits. */
    static double logGamma(double x) {
        if (x < 0.5) {
            // reflection keeps the approximation in its accurate range
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    private static void checkDf(double df) {
        if (!(df > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be positive, got " + df);
        }
    }
}
