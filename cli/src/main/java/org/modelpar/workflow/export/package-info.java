/**
 * Exports a placement plan to the frameworks that train large models today: a DeepSpeed training script
 * (its {@code PipelineModule} partition, config, hostfile and launcher line), a
 * {@code torch.distributed.pipelining} script (split points and schedule), and Megatron-LM arguments. Exports work at layer granularity (the graph's layer tags,
 * named by the framework's module names); a plan whose stage boundary cuts a layer is refused.
 */
package org.modelpar.workflow.export;
