// Test-only Hardhat config: lets the indexer tests start a bare local node before contracts/ has
// its own config. Mining is automatic; tests mine extra blocks with evm_mine.
module.exports = {
  solidity: '0.8.28',
  networks: { hardhat: { chainId: 31337, allowUnlimitedContractSize: true, blockGasLimit: 60_000_000 } },
};
