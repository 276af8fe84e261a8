package org.modelpar.solver;

/** Nothing fits: the message gives the smallest memory any plan needs, on which device, and what would fit. The CLI exits 3. */
public class InfeasibleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InfeasibleException(String message) {
        super(message);
    }
}
