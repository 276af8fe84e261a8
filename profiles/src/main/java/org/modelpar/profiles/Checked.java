package org.modelpar.profiles;

/** Overflow-checked arithmetic on byte and FLOP counts: overflow is a {@link ProfileException} naming the field. */
final class Checked {
    private Checked() {
    }

    static long add(long a, long b, String what) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new ProfileException(what + " overflows a 64-bit count: " + a + " + " + b);
        }
    }
}
