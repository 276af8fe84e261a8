/**
 * The modelpar workflow as a Java library, without the command line: {@link org.modelpar.workflow.Workflow#run}
 * profiles local workers, measures the model's op times, plans, simulates, trains and compares, and writes the
 * plan, trace and report; its steps ({@link org.modelpar.workflow.ModelTimes},
 * {@link org.modelpar.workflow.TrainAndCompare}, {@link org.modelpar.workflow.HtmlReports},
 * {@link org.modelpar.workflow.TraceFiles}) are usable one by one, and {@link org.modelpar.workflow.MachineMemory}
 * refuses a local run this process cannot hold before it allocates. Bad input is a {@link org.modelpar.workflow.WorkflowException}. Never imports picocli (an ArchUnit rule).
 */
package org.modelpar.workflow;
