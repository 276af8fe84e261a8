/** The {@code modelpar} command line (picocli); the only module with a logging backend. */
package org.modelpar.cli;
