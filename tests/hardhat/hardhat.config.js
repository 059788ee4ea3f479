// Minimal config for `npx hardhat node`: no contracts, no network access, blocks mined only
// on request (the test mines them with evm_mine under chosen coinbases).
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      mining: { auto: false, interval: 0 },
      // No per-request console log: it dominates the node's time under load.
      loggingEnabled: false,
    },
  },
};
