/**
 * The hardware model: device profiles (peak FLOP/s, memory, bandwidth, efficiency curves), links,
 * cluster specifications and the shipped catalog of real devices and clusters.
 */
package org.modelpar.profiles;
