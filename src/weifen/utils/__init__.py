"""`torch.utils`: data loading (`utils.data`) and friends."""
